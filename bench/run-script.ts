import { spawn } from "node:child_process";
import path from "node:path";

/** The last line a script printed: its verdict or summary. */
export const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

/** Runs a Node script of the project to completion; resolves with its stdout. */
export function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  onStderr?: (text: string) => void,
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
      onStderr?.(chunk);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(script)} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}
