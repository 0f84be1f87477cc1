// @ts-check
// A shared report: its kind, consent, risk and answers with the questions as the bot asked them.
import { dl, h } from "./dom.js";
import { timeEl } from "./format.js";
import { label, riskLabel, t } from "./i18n.js";
/** @import { Answer, Report } from "./types.js" */

/** The question as the bot asked it; for answers with no question text of their own, the console's label. @param {Answer} answer */
function answerQuestion(answer) {
  if (answer.question && answer.question !== answer.key) return answer.question;
  return label("answerKey", answer.key);
}

/** @param {Report} report */
export function reportBlock(report) {
  const answers = Array.isArray(report.answers) ? report.answers : [];
  return h(
    "article",
    { class: "report", dataset: { code: report.code } },
    h("h3", {}, t("reports.code", { code: report.code })),
    dl([
      [t("reports.kind"), label("reportKind", report.kind)],
      [t("reports.consent"), report.consent ? t("reports.consentYes") : t("reports.consentNo")],
      [t("reports.risk"), riskLabel(report.risk)],
      [t("reports.created"), timeEl(report.createdAt)],
    ]),
    h("h4", {}, t("reports.answers")),
    answers.length
      ? h(
          "dl",
          { class: "answers" },
          answers.map((a) => h("div", { class: "answer", dataset: { key: a.key } }, h("dt", {}, answerQuestion(a)), h("dd", {}, a.answer ?? t("common.none")))),
        )
      : h("p", { class: "muted" }, t("reports.noAnswers")),
  );
}
