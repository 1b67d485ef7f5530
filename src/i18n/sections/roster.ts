// Why a row of an imported file (area tree, roster) is refused, and why a file cannot be read: the roster layer
// returns these as keys with parameters, and the CLI prints them in the administrator's language.
import { translator, type Params } from '../translator.js';

const zh = {
  'file.xls': '不支持旧的 .xls 工作簿：请另存为 .xlsx 或 .csv。',
  'file.unknownType': '不认识 {file} 的文件类型：应为 .csv 或 .xlsx',
  'file.empty': '文件是空的：需要一行表头和至少一行数据。',
  'file.csvUnreadable': 'CSV 文件无法读取：{message}',
  'file.xlsxUnreadable': '.xlsx 文件无法读取：{message}',
  'file.noSheets': '工作簿里没有工作表。',
  'file.areaColumns': '区划文件需要“代码”和“名称”两列（code, name）；实际表头：{found}',
  'file.rosterMissing': '名册缺少这些列：{columns}',
  'file.rosterRepeated': '有两列表示同一项：{columns}',
  'area.noCode': '没有代码',
  'area.invalidCode': '代码“{code}”无效',
  'area.noName': '没有名称',
  'area.unknownLevel': '不认识的级别“{level}”（省/市/县/乡镇/村）',
  'area.levelFromCode': '无法从代码 {code} 判断级别（应为 2、4、6、9 或 12 位）：请加“级别”列',
  'area.duplicate': '与第 {line} 行重复',
  'area.ownParent': '地区不能是自己的上级',
  'area.cycle': '上级代码形成了循环',
  'area.unknownParent': '上级代码 {code} 不存在',
  'row.noName': '没有姓名',
  'row.nameTooLong': '姓名超过 50 个字',
  'row.idLossy': '身份证号在表格中被存成了数字，末几位已丢失：请把该列设为“文本”格式后重新输入',
  'row.idFormat': '身份证号不是 18 位（17 位数字加一位数字或 X）',
  'row.idChecksum': '身份证号校验位不对（有数字输错了）',
  'row.idBirth': '身份证号中的出生日期不存在',
  'row.unknownSex': '不认识的性别“{sex}”（男/女）',
  'row.sexContradicts': '性别“{sex}”与身份证号不符',
  'row.invalidBirth': '出生日期“{date}”无效',
  'row.birthFuture': '出生日期 {date} 晚于今天',
  'row.birthDiffers': '出生日期 {date} 与身份证号中的 {id} 不符',
  'row.needIdOrBirth': '需要身份证号或出生日期，才能区分儿童',
  'row.unknownCategory': '不认识的类别“{category}”',
  'row.unknownRisk': '不认识的风险等级“{risk}”（红/橙/黄/绿）',
  'row.noArea': '没有村(社区)代码',
  'row.invalidPhone': '监护人电话无效',
  'row.invalidVisit': '最近走访日期“{date}”无效',
  'row.visitFuture': '最近走访日期 {date} 晚于今天',
  'row.visitBeforeBirth': '最近走访日期 {date} 早于出生日期',
  'row.unknownArea': '村(社区)代码 {code} 不在地区树中',
  'row.duplicate': '与第 {line} 行重复',
  'row.ambiguous': '已有多个同姓名、同出生日期、同村的儿童：请填写身份证号',
  'row.sameChild': '与第 {line} 行是同一个儿童',
  'row.sharedCaseworker': '儿童主任“{name}”有重名（人员编号 {ids}）：请填写编号',
  'row.unknownCaseworker': '没有儿童主任“{name}”（填写在职人员的姓名或编号；先用 invite --name 添加）',
  'row.changed': '修改：{fields}',
  'field.name': '姓名',
  'field.sex': '性别',
  'field.birthDate': '出生日期',
  'field.idNumber': '身份证号',
  'field.categories': '类别',
  'field.risk': '风险等级',
  'field.areaCode': '村(社区)代码',
  'field.address': '住址',
  'field.guardian': '监护人',
  'field.guardianRelation': '与儿童关系',
  'field.guardianPhone': '监护人电话',
  'field.caseworker': '儿童主任',
  'field.lastVisit': '最近走访日期',
} as const;

export type RosterKey = keyof typeof zh;

const en: Record<RosterKey, string> = {
  'file.xls': 'Old .xls workbooks are not supported: save the sheet as .xlsx or .csv.',
  'file.unknownType': 'Unknown file type for {file}: expected .csv or .xlsx',
  'file.empty': 'The file is empty: expected a header row and at least one data row.',
  'file.csvUnreadable': 'The CSV file could not be read: {message}',
  'file.xlsxUnreadable': 'The .xlsx file could not be read: {message}',
  'file.noSheets': 'The workbook has no sheets.',
  'file.areaColumns': 'The area file needs the columns code and name (代码, 名称); found: {found}',
  'file.rosterMissing': 'The roster has no {columns} column',
  'file.rosterRepeated': 'Two columns mean the same thing: {columns}',
  'area.noCode': 'no code',
  'area.invalidCode': 'invalid code "{code}"',
  'area.noName': 'no name',
  'area.unknownLevel': 'unknown level "{level}" (province/city/county/township/village or 省/市/县/乡镇/村)',
  'area.levelFromCode': 'cannot tell the level from code {code} (2, 4, 6, 9 or 12 digits): give a level column',
  'area.duplicate': 'duplicate of line {line}',
  'area.ownParent': 'an area cannot be its own parent',
  'area.cycle': 'the parent codes form a cycle',
  'area.unknownParent': 'unknown parent code {code}',
  'row.noName': 'no name',
  'row.nameTooLong': 'name is longer than 50 characters',
  'row.idLossy': 'ID number was stored as a number in the spreadsheet and lost its last digits: format the column as text and type it again',
  'row.idFormat': 'ID number is not 18 characters (17 digits and a digit or X)',
  'row.idChecksum': 'ID number checksum is wrong (a digit is mistyped)',
  'row.idBirth': 'ID number contains an impossible birth date',
  'row.unknownSex': 'unknown sex "{sex}" (男/女 or male/female)',
  'row.sexContradicts': 'sex "{sex}" contradicts the ID number',
  'row.invalidBirth': 'invalid birth date "{date}"',
  'row.birthFuture': 'birth date {date} is in the future',
  'row.birthDiffers': "birth date {date} differs from the ID number's {id}",
  'row.needIdOrBirth': 'needs an ID number or a birth date to tell children apart',
  'row.unknownCategory': 'unknown category "{category}"',
  'row.unknownRisk': 'unknown risk level "{risk}" (红/橙/黄/绿 or red/orange/yellow/green)',
  'row.noArea': 'no area code',
  'row.invalidPhone': 'invalid guardian phone number',
  'row.invalidVisit': 'invalid last visit date "{date}"',
  'row.visitFuture': 'last visit date {date} is in the future',
  'row.visitBeforeBirth': 'last visit date {date} is before the birth date',
  'row.unknownArea': 'unknown area code {code}',
  'row.duplicate': 'duplicate of line {line}',
  'row.ambiguous': 'several children on record have this name, birth date and area: add the ID number',
  'row.sameChild': 'same child as line {line}',
  'row.sharedCaseworker': 'caseworker name "{name}" is shared by staff {ids}: use the staff id',
  'row.unknownCaseworker': 'unknown caseworker "{name}" (an active staff member\'s name or id; add them with: invite --name)',
  'row.changed': 'changes: {fields}',
  'field.name': 'name',
  'field.sex': 'sex',
  'field.birthDate': 'birth_date',
  'field.idNumber': 'id_number',
  'field.categories': 'categories',
  'field.risk': 'risk',
  'field.areaCode': 'area_code',
  'field.address': 'address',
  'field.guardian': 'guardian',
  'field.guardianRelation': 'guardian_relation',
  'field.guardianPhone': 'guardian_phone',
  'field.caseworker': 'caseworker',
  'field.lastVisit': 'last_visit',
};

export const rosterText = translator<RosterKey>({ 'zh-CN': zh, en });

/** A reason the roster layer gives, translated where it is shown. */
export interface Reason {
  key: RosterKey;
  params?: Params;
}

export const reason = (key: RosterKey, params?: Params): Reason => (params ? { key, params } : { key });

/** A file that cannot be read at all; its message is the English text (logs), its reason the translatable one. */
export class ReasonError extends Error {
  constructor(readonly reason: Reason) {
    super(rosterText('en', reason.key, reason.params));
  }
}
