// Fuzzing every HTTP door of the server on SQLite (the suite and its properties: tests/helpers/fuzz-suite.ts).
import { fuzzOn } from "./helpers/fuzz-suite.ts";

fuzzOn("sqlite", 1);
