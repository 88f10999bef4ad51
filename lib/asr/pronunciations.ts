/**
 * ARPAbet pronunciations for words the en-US dictionary lacks (Indian city names, Hinglish,
 * Indian number units) and extra variants for words Indian English speakers say differently.
 * A word may have several pronunciations; all are added. Phones: see model/en-us/phoneset.json.
 */
export const CUSTOM_PRONUNCIATIONS: Record<string, string[]> = {
  // Hinglish yes/no and politeness
  nahi: ["N AH HH IY", "N AA HH IY", "N AH IY"],
  nahin: ["N AH HH IY N", "N AA HH IY N", "N AH IY N"],
  haan: ["HH AA N", "HH AA"],
  // Cities
  navi: ["N AA V IY", "N AE V IY"],
  bengaluru: ["B EH NG G AH L UW R UW", "B EY NG G AA L UW R UW"],
  kolkata: ["K OW L K AA T AH", "K AA L K AA T AA"],
  pune: ["P UW N EY", "P UW N AH"],
  ahmedabad: ["AA M AH D AA B AA D", "AH M EH D AH B AE D"],
  jaipur: ["JH AY P UH R", "JH EY P UH R"],
  lucknow: ["L AH K N AW", "L AE K N AW", "L AH K N OW"],
  indore: ["IH N D AO R"],
  patna: ["P AH T N AA", "P AE T N AH"],
  mumbai: ["M UH M B AY", "M AH M B AY"],
  // Accent variants (Indian, British and Scottish English) of words every flow relies on
  // "Y UH EH S": a yes with a glide into the vowel, as the Scottish voice (awb) says it; without
  // it the garbage loop outscored every "yes" of that voice (awb clean 92.2 -> 98.9 % of answers).
  yes: ["Y EH S", "Y EY S", "Y IH S", "Y UH EH S"],
  yeah: ["Y AE", "Y EH", "Y EH AH"],
  sure: ["SH UH R", "SH UW R", "SH AO R"],
  thousand: ["TH AW Z AH N D", "TH AW Z AH N", "T AW Z AH N D", "TH AY Z AH N D", "TH UW Z AH N D"],
  // "EY D": the /t/ of "eight" voiced before "thousand", as the US voice rms says it; without it
  // "eight thousand" was heard as "a thousand" (bench/understanding.ts, clean 97.8 -> 98.1 %).
  eight: ["EY T", "EY D"],
  correct: ["K ER EH K T", "K AH R EH K T", "K AO R EH K T"],
  // Indian number units
  lakh: ["L AA K", "L AE K"],
  lakhs: ["L AA K S", "L AE K S"],
  crore: ["K R AO R"],
};
