// Words that must not open a message (its first line, or its first 60 characters): what a
// lock-screen notification and the chat list show to whoever holds the phone. Per language,
// lower case; a message opening matches when it contains any of them as a substring, so
// stems ("traffick", "embass") catch their inflections.
import type { Language } from "./languages.ts";

/**
 * How much of a message a preview is taken to show: its first 60 columns, the lines joined
 * as a chat list joins them. A column is one character as the eye sees it (a Thai or Khmer
 * letter with its marks is one); Chinese, Japanese and Korean characters take two, as they
 * do on a screen, so 30 of them fill a preview as wide as 60 Latin letters.
 */
export const PREVIEW_COLUMNS = 60;

export const REVEALING_WORDS: Record<Language, readonly string[]> = {
  en: ["police", "embass", "consul", "rescue", "scam", "traffick", "danger", "report", "staff", "official", "officer", "emergency", "hotline", "ransom", "escape", "helpline"],
  ko: ["경찰", "대사관", "영사", "구조", "구출", "사기", "인신매매", "위험", "신고", "보고서", "제보", "담당자", "직원", "상담", "공무원", "긴급", "비상", "몸값", "탈출"],
  zh: ["警察", "报警", "大使馆", "使馆", "领事", "营救", "救援", "解救", "诈骗", "骗局", "贩卖", "危险", "报告", "举报", "工作人员", "官员", "紧急", "赎金", "逃", "警方", "报案", "拐卖"],
  vi: ["cảnh sát", "công an", "đại sứ", "lãnh sự", "giải cứu", "cứu hộ", "lừa đảo", "buôn người", "nguy hiểm", "báo cáo", "trình báo", "tố giác", "nhân viên", "cán bộ", "quan chức", "khẩn cấp", "tiền chuộc", "trốn"],
  th: ["ตำรวจ", "สถานทูต", "กงสุล", "กู้ภัย", "ช่วยชีวิต", "หลอกลวง", "มิจฉาชีพ", "ค้ามนุษย์", "อันตราย", "รายงาน", "แจ้งความ", "เจ้าหน้าที่", "ฉุกเฉิน", "ค่าไถ่", "หลบหนี"],
  id: ["polisi", "kedutaan", "kbri", "konsul", "penyelamat", "selamatkan", "penipu", "perdagangan orang", "bahaya", "lapor", "petugas", "staf", "pejabat", "darurat", "tebusan", "kabur", "melarikan"],
  km: ["ប៉ូលិស", "ស្ថានទូត", "កុងស៊ុល", "សង្គ្រោះ", "ឆបោក", "ជួញដូរមនុស្ស", "គ្រោះថ្នាក់", "អាសន្ន", "រាយការណ៍", "ប្ដឹង", "បុគ្គលិក", "មន្ត្រី", "លោះ", "រត់គេច", "បោកប្រាស់"],
  ja: ["警察", "大使館", "領事", "救出", "救助", "詐欺", "人身売買", "危険", "通報", "報告", "担当者", "スタッフ", "職員", "係員", "緊急", "身代金", "逃げ", "脱出"],
};

const WIDE = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff01-\uff60]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** What a preview shows of `text`: its first PREVIEW_COLUMNS columns, lines joined by a space. */
export function previewOf(text: string): string {
  let width = 0;
  let shown = "";
  for (const { segment } of graphemes.segment(text.replace(/\n+/g, " "))) {
    width += WIDE.test(segment) ? 2 : 1;
    if (width > PREVIEW_COLUMNS) break;
    shown += segment;
  }
  return shown;
}

/** The revealing words `text`'s preview contains (none: it is safe to show on a lock screen). */
export function revealingWordsIn(text: string, lang: Language): string[] {
  const preview = previewOf(text).toLowerCase();
  return REVEALING_WORDS[lang].filter((word) => preview.includes(word));
}
