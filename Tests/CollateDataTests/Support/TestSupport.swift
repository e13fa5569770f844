// Every file of this test target sees the shared test support (CollateProcess, Fixtures).
@_exported import CollateTestSupport
