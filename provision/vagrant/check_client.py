"""provision/vagrant/check_client.py URL LETTERS: a stand-in for the exercise's client/client.py,
which `npm run check:vagrant` runs from the host against the VM's forwarded port.

It calls the service exactly as the exercise's client does: `requests.post(url, params=...)`
(the fields in the query string, no body), a fresh uuid4 per session, `/initial` with the uuid
and a letter, then sometimes `/followup` with the uuid alone, reading each reply as text. Unlike
that client it takes the server's URL (the client has http://localhost:5000 inside the VM) and
its letters as arguments (not sherlock.txt, which is not in this repository), and it follows up
on every third session, so that the check knows exactly what the dashboards must show. It prints
that as JSON: {"letter": [initials, followups], ...}. Exit status 1 if any reply is not the
expected one.
"""

import json
import sys
import uuid

import requests


def main():
    server, letters = sys.argv[1], sys.argv[2]
    sent = {}
    for i, symbol in enumerate(letters):
        session = str(uuid.uuid4())
        r = requests.post(server + "/initial", params={"uuid": session, "symbol": symbol})
        if r.status_code != 200 or r.text not in ("True", "False"):
            print("initial %s: %d %r" % (symbol, r.status_code, r.text), file=sys.stderr)
            return 1
        counts = sent.setdefault(symbol, [0, 0])
        counts[0] += 1
        if i % 3 == 0:
            r = requests.post(server + "/followup", params={"uuid": session})
            if r.status_code != 200 or r.text != "hooray":
                print("followup %s: %d %r" % (symbol, r.status_code, r.text), file=sys.stderr)
                return 1
            counts[1] += 1
    print(json.dumps(sent, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
