// Starts the longest test files first, so a run never ends waiting for one of them alone.
// Vitest orders files by the durations of the last run when it has them, else by file size;
// a fresh clone has no last run, and these files are small: each runs a long suite
// (crash safety, fuzzing) on one database.
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST = ["crash-safety-", "fuzz-"];
const isLongest = (spec: TestSpecification) => LONGEST.some((name) => spec.moduleId.includes(`/tests/${name}`));

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter(isLongest), ...sorted.filter((spec) => !isLongest(spec))];
  }
}
