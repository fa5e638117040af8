// The target that builds the tests' precompiled headers (tests/CMakeLists.txt,
// ITC_TEST_PCH); the tests reuse them. It is never run.
int main() { return 0; }
