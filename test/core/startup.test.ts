// Start-up shortcuts that would fail silently (the service still starts, only slower) if a dependency moved things.
import { expect, it } from 'vitest';
import { pgliteWasm } from '../../src/db/pgliteWasm.js';

it("finds PGlite's WebAssembly beside its entry point and compiles it (else PGlite loads it itself, later)", async () => {
  expect(await pgliteWasm()).toBeInstanceOf(WebAssembly.Module);
});
