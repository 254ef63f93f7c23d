import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@clawxmpp/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    // The demo test starts the built bot and its own Prosody.
    testTimeout: 60_000,
  },
});
