import { spawn } from "node:child_process";
import path from "node:path";

/** Runs a Node script of the project to completion; resolves with its stdout. */
export function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
  onStderr?: (text: string) => void,
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
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

/**
 * Runs a script of the project that reports in one JSON line (`--json` among `args`); resolves
 * with that line, parsed: the last line of its stdout.
 */
export async function runJson<T>(
  script: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  onStderr?: (text: string) => void,
): Promise<T> {
  const stdout = await runScript(script, env, args, onStderr);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${path.basename(script)} ${args.join(" ")}: not a JSON line: ${line}`);
  }
}
