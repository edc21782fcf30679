// Jest ignores `testTimeout` inside a project entry (it is a global option). Integration, CDC and
// e2e tests wait on real services, so their projects set the timeout here instead.
jest.setTimeout(240_000);
