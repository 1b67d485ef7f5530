// Names of the domain's enumerations, as users read them.
import type { Locale } from './translator.js';

type Names = Record<Locale, Record<string, string>>;

export const categoryNames: Names = {
  'zh-CN': {
    institutional_orphan: '机构养育孤儿',
    community_orphan: '社会散居孤儿',
    de_facto_unsupported: '事实无人抚养儿童',
    left_behind: '农村留守儿童',
    in_distress: '困境儿童',
    disabled: '残疾儿童',
    migrant: '流动儿童',
  },
  en: {
    institutional_orphan: 'orphan in institutional care',
    community_orphan: 'orphan in family care',
    de_facto_unsupported: 'de-facto unsupported child',
    left_behind: 'left-behind child',
    in_distress: 'child in distress',
    disabled: 'disabled child',
    migrant: 'migrant child',
  },
};

export const riskNames: Names = {
  'zh-CN': { red: '🔴 红色', orange: '🟠 橙色', yellow: '🟡 黄色', green: '🟢 绿色' },
  en: { red: '🔴 red', orange: '🟠 orange', yellow: '🟡 yellow', green: '🟢 green' },
};

export const dimensionNames: Names = {
  'zh-CN': { health: '健康状况', mental: '精神状态', education: '教育环境', hygiene: '卫生环境', living: '居住环境', guardianship: '监护情况' },
  en: { health: 'Health', mental: 'Mental state', education: 'Education', hygiene: 'Hygiene', living: 'Living conditions', guardianship: 'Guardianship' },
};

export const levelNames: Names = {
  'zh-CN': { fine: '正常', concern: '需关注', serious: '严重' },
  en: { fine: 'fine', concern: 'concern', serious: 'serious' },
};

export const visitKindNames: Names = {
  'zh-CN': { home: '入户', school: '到校', phone: '电话', video: '视频' },
  en: { home: 'home', school: 'school', phone: 'phone', video: 'video' },
};

export const situationNames: Names = {
  'zh-CN': {
    private_injury: '隐私部位遭受或疑似遭受非正常损伤',
    sexual_abuse_under14: '不满14周岁女性未成年人遭受或疑似遭受性侵害、怀孕、流产',
    pregnancy_14plus: '14周岁以上女性未成年人疑似遭受性侵害怀孕、流产',
    injuries_violence: '多处损伤、严重营养不良、意识不清（疑似家暴、欺凌、虐待、殴打或被人麻醉）',
    self_harm_abnormal: '自杀、自残、工伤、中毒、被诱骗、被拐卖等非正常死亡或受伤',
    abandonment: '被遗弃或长期处于无人照料状态',
    missing_trafficked: '来源不明、失踪或被拐卖、收买',
    organised_begging: '被组织乞讨',
    other_danger: '其他严重侵害或面临不法侵害危险',
  },
  en: {
    private_injury: 'injury (or suspected injury) to private parts',
    sexual_abuse_under14: 'girl under 14: sexual abuse, pregnancy or abortion (or suspected)',
    pregnancy_14plus: 'girl 14 or older: pregnancy or abortion suspected from sexual abuse',
    injuries_violence: 'multiple injuries, severe malnutrition or impaired consciousness (suspected violence, bullying, abuse or drugging)',
    self_harm_abnormal: 'suicide, self-harm, poisoning, luring, trafficking or other abnormal injury or death',
    abandonment: 'abandoned or long left without care',
    missing_trafficked: 'of unknown origin, missing, trafficked or bought',
    organised_begging: 'made to beg by others',
    other_danger: 'other serious harm or danger of unlawful harm',
  },
};

/** A short form of each situation for buttons. */
export const situationShortNames: Names = {
  'zh-CN': {
    private_injury: '隐私部位非正常损伤',
    sexual_abuse_under14: '不满14岁女童疑似性侵',
    pregnancy_14plus: '14岁以上女童疑似性侵怀孕',
    injuries_violence: '多处损伤/严重营养不良',
    self_harm_abnormal: '自残/中毒/非正常伤亡',
    abandonment: '被遗弃/长期无人照料',
    missing_trafficked: '来源不明/失踪/被拐',
    organised_begging: '被组织乞讨',
    other_danger: '其他严重侵害或危险',
  },
  en: {
    private_injury: 'Injury to private parts',
    sexual_abuse_under14: 'Girl under 14: sexual abuse',
    pregnancy_14plus: 'Girl 14+: pregnancy from abuse',
    injuries_violence: 'Injuries / malnutrition',
    self_harm_abnormal: 'Self-harm / poisoning',
    abandonment: 'Abandoned / no care',
    missing_trafficked: 'Missing / trafficked',
    organised_begging: 'Organised begging',
    other_danger: 'Other serious danger',
  },
};

export const sexNames: Names = {
  'zh-CN': { male: '男', female: '女' },
  en: { male: 'boy', female: 'girl' },
};

export function nameOf(names: Names, locale: Locale, key: string): string {
  return names[locale][key] ?? key;
}
