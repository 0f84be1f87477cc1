// Emergency phrases as people really type them, in every language, and what must not fire.
import { describe, expect, it } from "vitest";
import { EMERGENCY_PHRASES, isEmergencyMessage } from "../flows/data/emergency-words.ts";
import { LANGUAGES } from "../flows/data/languages.ts";

const TYPED: Record<string, string[]> = {
  en: ["SOS", "sos sos", "SOS!!!", "🆘", "help", "HELP ME", "help me please", "please help!!", "Please help us", "i need help now", "Helppp", "help… they hit me", "emergency!", "save me", "rescue me pls", "call the police", "I'm in danger", "ＳＯＳ", "h e l p"],
  ko: ["살려주세요", "살려 주세요", "살려주세요!!", "살려줘", "살려줘요ㅠㅠ", "도와주세요", "도와 주세요...", "제발 도와줘", "도움이 필요해요", "구해주세요", "저 좀 구해줘", "긴급", "위급해요", "위험해요 지금", "경찰 불러 주세요", "신고해 주세요", "SOS 살려주세요"],
  zh: ["救命", "救命啊！", "救救我", "救救我吧", "快救我", "求救", "求助！", "帮帮我", "幫幫我", "請幫我", "帮我报警", "紧急情况", "緊急", "很危险", "快报警", "救命 救命"],
  vi: ["cứu", "cứu tôi", "cứu tôi với", "Cứu em với!", "cuu toi voi", "cuu em voi", "CỨU VỚI", "cứu con với mẹ ơi", "giúp tôi", "giúp em với", "giup toi voi", "khẩn cấp", "nguy hiểm quá", "báo công an giúp tôi", "gọi công an", "cứu... họ đánh tôi", "SOS"],
  th: ["ช่วยด้วย", "ช่วยด้วยค่ะ", "ช่วยด้วยครับ!!", "ช่วยด้วยยยย", "ช่วยฉันด้วย", "ช่วยผมด้วยครับ", "ช่วยหนูด้วย", "ช่วยที", "ช่วยทีค่ะ", "ช่วยชีวิตด้วย", "ขอความช่วยเหลือ", "ฉุกเฉิน", "อันตรายมาก", "แจ้งตำรวจให้หน่อย", "เรียกตำรวจ", "SOS ช่วยด้วย"],
  id: ["tolong", "tolong saya!", "Tolong saya", "TOLONG", "tolong aku", "tolong kami", "minta tolong", "tolonggg", "bantu saya", "bantu aku please", "darurat", "bahaya!", "selamatkan saya", "selamatkan aku", "panggil polisi", "lapor polisi sekarang", "sos"],
  km: ["ជួយផង", "ជួយខ្ញុំផង", "ជួយខ្ញុំ", "ជួយខ្ញុំផង!!", "ជួយសង្គ្រោះ", "សូមជួយសង្គ្រោះ", "សង្គ្រោះខ្ញុំ", "អាសន្ន", "ហៅប៉ូលិស", "ជួយផងបង", "ជួយផង ជួយផង", "សូមជួយខ្ញុំផង", "ជួយផង...", "SOS ជួយផង", "ជួយខ្ញុំផងបង"],
  ja: ["助けて", "助けて！", "助けてください！", "助けて下さい", "たすけて", "タスケテ", "誰か助けてくれ", "助けてー", "救助をお願いします", "緊急です", "危ない", "危険です", "警察を呼んで", "警察呼んで！", "ヘルプ", "SOS"],
};

const NOT_EMERGENCY = [
  "hello",
  "helpful tips for the visa",
  "Phnom Penh, building 5",
  "thank you",
  "ok",
  "sosial media",
  "안녕하세요",
  "네",
  "你好",
  "xin chào",
  "điện thoại cũ",
  "สวัสดีค่ะ",
  "terima kasih",
  "សួស្តី",
  "こんにちは",
  "12",
  "",
  "   ",
];

describe("emergency phrases", () => {
  it.each(LANGUAGES)("are recognised as typed in %s (at least 15 phrasings)", (lng) => {
    const typed = TYPED[lng]!;
    expect(typed.length).toBeGreaterThanOrEqual(15);
    for (const text of typed) expect(isEmergencyMessage(text), `${lng}: ${text}`).toBe(true);
  });

  it("covers every supported language with phrases of its own", () => {
    for (const lng of LANGUAGES) expect(EMERGENCY_PHRASES[lng]?.length ?? 0, lng).toBeGreaterThanOrEqual(8);
  });

  it("do not fire on ordinary words, nor on a phrase inside a longer word", () => {
    for (const text of NOT_EMERGENCY) expect(isEmergencyMessage(text), text).toBe(false);
  });

  it("count anywhere in a short message, and at the start or end of a long one", () => {
    const story = "They took us from the airport to a building with many floors and we work there every day from morning to night. ";
    expect(isEmergencyMessage(`please help ${story}`)).toBe(true);
    expect(isEmergencyMessage(`${story} please help`)).toBe(true);
    expect(isEmergencyMessage(`${story} I asked a guard for help with food once. ${story}`)).toBe(false);
  });
});
