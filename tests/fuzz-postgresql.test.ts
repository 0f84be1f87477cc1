// Fuzzing every HTTP door of the server on PostgreSQL, 40 % of SQLite's runs (the suite and its properties: tests/helpers/fuzz-suite.ts).
import { fuzzOn } from "./helpers/fuzz-suite.ts";

fuzzOn("postgresql", 0.4);
