// Crash safety on postgresql: SafeLine killed with SIGKILL mid-load and restarted, checked for lost,
// repeated and late work (the suite and what it proves: tests/helpers/crash-safety-suite.ts).
import { crashSafetyOn } from "./helpers/crash-safety-suite.ts";

crashSafetyOn("postgresql");
