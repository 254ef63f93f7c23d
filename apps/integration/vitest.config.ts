import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@clawxmpp/source"] },
  ssr: { resolve: { conditions: ["@clawxmpp/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // Measurements, not tests: the login bench only with CLAWXMPP_BENCH=1, the questions stress
    // run only with CLAWXMPP_STRESS=1.
    exclude: [
      ...(process.env.CLAWXMPP_BENCH ? [] : ["test/login-bench.test.ts"]),
      ...(process.env.CLAWXMPP_STRESS ? [] : ["test/openclaw-questions-stress.test.ts"]),
    ],
    // Each file starts its own Prosody; logins and restarts take real time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: the OpenClaw files run Node 24 gateways that need both cores (two at once
    // took 3.5× longer each); the Prosody suites are short.
    maxWorkers: 1,
    // The fuzz suite compares the heap after a full GC (it falls back to enabling gc at run time).
    execArgv: ["--expose-gc"],
    reporters: ["default"],
  },
});
