// Texts of the administrator's CLI (`npm run admin`): help, errors, tables, prompts. zh-CN is the source of the
// keys; the English catalogue is typed against it, so a missing translation does not compile.
import { translator } from '../translator.js';

const zh = {
  'cli.help': `儿童关爱工作助手 · 管理命令

用法：npm run -s admin -- <命令> [选项]      （每个命令都有 --help，例如 npm run -s admin -- invite --help）

命令：
{commands}

首次部署：areas import（导入区划）→ invite（邀请督导员、儿童主任）→ import-roster（试运行）→ import-roster --apply。
设置了 DATABASE_URL 时命令直接操作该 PostgreSQL；否则操作 DATA_DIR（默认 ./data）中的内置数据库——服务正在运行时，由服务代为执行。
全局选项：--lang zh-CN|en 输出语言（默认跟随 DEFAULT_LOCALE）。-s 让 npm 不在输出前打印命令行，便于脚本读取。

退出码：0 完成；1 失败（未写入任何内容）；2 用法错误；3 完成，但文件中有被拒绝的行。`,
  'cli.unknownCommand': '没有“{name}”这个命令。可用的命令：{commands}。查看帮助：npm run -s admin -- --help',
  'cli.seeHelp': '查看帮助：npm run -s admin -- {verb} --help',
  'cli.failed': '{verb} 执行失败：{message}',
  'remote.noToken': '服务（进程 {pid}）正在使用 {dir}，但没有留下 {file}：请先停止服务，再运行这个命令。',
  'remote.noAnswer': '服务（进程 {pid}）正在使用 {dir}，但在 {socket} 上没有应答（{error}）。请用运行服务的系统用户执行命令，或先停止服务。',
  'remote.refused': '运行中的服务拒绝了这个命令：{message}',
  'remote.wrongToken': '服务（进程 {pid}）不接受 {dir} 中 {file} 的令牌，这个命令没有执行。请确认命令和服务使用同一个 DATA_DIR，并用运行服务的系统用户执行。',
  'cli.error': '{verb}：{message}',
  'usage.unknownOption': '不认识的选项 {option}',
  'usage.needsValue': '选项 {option} 需要一个值',
  'usage.unexpected': '多余的参数“{arg}”',
  'usage.missing': '缺少 --{option}',
  'usage.positiveInt': '{what} 应为正整数，收到“{value}”',
  'usage.oneOf': '--{option} 只能是 {allowed} 之一，收到“{value}”',
  'usage.date': '--{option} 应为日期，例如 2026-01-31，收到“{value}”',
  'usage.month': '--{option} 应为月份，例如 2026-11，收到“{value}”',
  'usage.lang': '--lang 只能是 zh-CN 或 en',
  'usage.action': '{verb} 需要一个动作：{actions}',
  'usage.unknownAction': '不认识的动作“{action}”（可用：{actions}）',
  'io.noFile': '找不到文件 {path}',
  'io.cannotRead': '无法读取 {path}：{message}',
  'pick.several': '有 {count} 个匹配“{name}”：',
  'pick.ask': '请输入序号（1–{count}），直接回车取消：',
  'pick.cancelled': '已取消，没有做任何修改。',
  'pick.useId': '有多个匹配“{name}”，请改用编号（上面列出的“编号”）。',
  'pick.line': '{n}. {label}',

  'areas.summary': '从区划代码表导入地区树，或列出地区',
  'areas.help': `用法：
  npm run -s admin -- areas import <文件.csv|文件.xlsx> [--dry-run]
  npm run -s admin -- areas list [--under <代码>]

import  读取 代码,名称[,上级代码][,级别]（或 code,name[,parent_code][,level]）列。级别由代码长度决定——2 位省、4 位市、
        6 位县、9 位乡镇、12 位村（末尾补零的 12 位代码会被缩短）——除非“级别”列另有说明。已有地区会被更新；
        同一文件重复导入不会有任何变化。--dry-run 只显示将要做的修改。
list    列出地区树（或 <代码> 以下的部分）以及每个地区的儿童人数。

示例：
  npm run -s admin -- areas import 区划.csv
  npm run -s admin -- areas list --under 440103`,
  'areas.needFile': 'areas import 需要一个文件',
  'areas.rejected': '第 {line} 行：拒绝 {code} {name}：{reason}',
  'areas.totals': '新增 {created}，更新 {updated}，未变 {unchanged}，拒绝 {rejected}',
  'areas.dryRun': '试运行，未写入任何内容。将会：',
  'areas.none': '还没有地区。导入：npm run -s admin -- areas import <文件.csv>',
  'areas.noCode': '（无代码）',
  'areas.col.code': '代码',
  'areas.col.name': '名称',
  'areas.col.level': '级别',
  'areas.col.children': '儿童',
  'level.province': '省',
  'level.city': '市',
  'level.county': '县',
  'level.township': '乡镇',
  'level.village': '村',
  'area.unknown': '没有代码为 {code} 的地区（查看：npm run -s admin -- areas list）',

  'invite.summary': '为儿童主任、督导员或管理员生成一次性邀请码；可批量按名册生成可打印的邀请单',
  'invite.help': `用法：
  npm run -s admin -- invite --role caseworker|supervisor|admin --area <代码> [--name <姓名>] [--days 14]
  npm run -s admin -- invite --staff <编号|姓名> [--days 14]
  npm run -s admin -- invite --roster <人员名单.xlsx|.csv> [--apply --out <邀请单.html>] [--days 14]
  npm run -s admin -- invite --revoke <编号|姓名>

打印一个一次性邀请码（数据库只保存它的哈希），对方发给机器人即可绑定账号；在 Telegram 上点打印出的链接一步完成。
邀请码 --days 天后过期（默认 14 天，最多 90 天）。给同一人重新发码时，旧码立即作废。
  --role, --area  新人员的角色（caseworker 儿童主任、supervisor 督导员、admin 管理员）和工作地区
                  （儿童主任填村/社区，督导员填乡镇或县）
  --name          姓名；会立即建立人员记录（名册可以先把儿童分配给他/她）。
  --staff         给已有人员发码（换手机、绑定第二个渠道），可填编号或姓名
  --roster        按人员名单批量发码（列：姓名、角色〔儿童主任/督导员/管理员〕、地区代码）。不加 --apply 时只试运行；
                  加 --apply --out 邀请单.html 后生成邀请码，写出可打印的邀请单（每人一张卡片：姓名、地区、角色、
                  邀请码、每个渠道一个二维码），本机有 Chromium 时另写一份 PDF。名单上已有的人会重新发码，旧码作废。
  --revoke        作废此人所有未使用的邀请码

示例：
  npm run -s admin -- invite --role caseworker --area 440103001001 --name 李梅`,
  'invite.daysMax': '--days 最多 90',
  'invite.missingRole': '缺少 --role（caseworker、supervisor 或 admin）',
  'invite.missingArea': '缺少 --area（此人工作地区的代码）',
  'invite.staffFixed': '--staff 给已有人员发码：不要再给 --role 和 --area（它们来自人员记录）',
  'invite.inactive': '人员 {id}（{name}）已停用',
  'invite.for': '邀请：{who}',
  'invite.staffId': '人员编号 {id}',
  'invite.code': '邀请码：{code}',
  'invite.valid': '有效期至 {until}（{tz}），只能使用一次。',
  'invite.revoked': '此人之前的 {count} 个未使用邀请码已作废。',
  'invite.telegram': 'Telegram：打开 {link}',
  'invite.telegramNoName': 'Telegram：给机器人发送  /start {code}  （暂时无法取得机器人的用户名）',
  'invite.feishu': '飞书：在与机器人的私聊中发送邀请码 {code}',
  'invite.local': '本地聊天：打开聊天页面，发送 {code}',
  'invite.rosterNeedsNoRole': '--roster 从名单读取角色和地区：不要再给 --role、--area、--name、--staff',
  'invite.sheetNeedsOut': '加 --apply 时需要 --out <邀请单.html>',
  'invite.row.new': '第 {line} 行：新人员 {name}（{role}，{area}）',
  'invite.row.reissue': '第 {line} 行：重新发码 {name}（编号 {id}，{role}，{area}）：旧邀请码将作废',
  'invite.row.rejected': '第 {line} 行：拒绝 {name}：{reasons}',
  'invite.batch.dryRun': '试运行，未写入任何内容：新人员 {created}，重新发码 {reissued}，拒绝 {rejected}。确认无误后加 --apply --out <邀请单.html> 生成邀请码和邀请单。',
  'invite.batch.done': '已生成 {count} 个邀请码（新人员 {created}，重新发码 {reissued}；作废旧码 {revoked} 个），拒绝 {rejected} 行。',
  'invite.batch.sheet': '邀请单已写入 {file}（用浏览器打开后打印）。',
  'invite.batch.pdf': 'PDF 邀请单已写入 {file}。',
  'invite.batch.noPdf': '本机没有 Chromium（{path}），只生成了 HTML 邀请单；用浏览器打开即可打印或另存为 PDF。',
  'invite.revokeDone': '已作废 {name}（编号 {id}）的 {count} 个未使用邀请码。',
  'sheet.title': '邀请单 · {date}',
  'sheet.intro': '请把每张卡片交给本人。用手机扫描二维码，按提示操作即可绑定账号。邀请码只能使用一次，请勿转交他人。',
  'sheet.code': '邀请码',
  'sheet.telegram': 'Telegram：扫码打开机器人，自动绑定',
  'sheet.feishu': '飞书：扫码打开机器人，发送邀请码 {code}',
  'sheet.typeCode': '打开聊天页面，输入上面的邀请码。',
  'sheet.valid': '有效期至 {until}',

  'staff.summary': '列出人员、停用或恢复某人、转移名单',
  'staff.help': `用法：
  npm run -s admin -- staff list [--area <代码>] [--all]
  npm run -s admin -- staff deactivate <编号|姓名>
  npm run -s admin -- staff activate <编号|姓名>
  npm run -s admin -- staff reassign --from <编号|姓名> --to <编号|姓名>

list        列出地区内所有在职人员（--all 包括已停用的），以及他们绑定的渠道和当前名单人数。
deactivate  立即停用：此人的所有聊天账号不再被识别，正在填写的表单被取消。名单仍归此人，请用 reassign 转移。
activate    恢复已停用的人员。
reassign    把 --from 的全部名单在一个事务中转给 --to（历史记录保留）。
姓名有重名时会列出候选人让你选择（非交互运行时请改用编号）。`,
  'staff.needId': 'staff {action} 需要人员编号或姓名（见 staff list）',
  'staff.needFromTo': 'staff reassign 需要 --from 和 --to',
  'staff.none': '还没有人员。用 npm run -s admin -- invite --role … --area … 发邀请',
  'staff.unknown': '没有编号为 {id} 的人员',
  'staff.unknownName': '没有叫“{name}”的人员',
  'staff.already.active': '人员 {id} 已经是在职状态',
  'staff.already.inactive': '人员 {id} 已经停用',
  'staff.activated': '{name}（{id}）已恢复。',
  'staff.deactivated': '{name}（{id}）已停用：其聊天账号不再可用。',
  'staff.stillAssigned': '仍有 {count} 名儿童分配给此人。转移：npm run -s admin -- staff reassign --from {id} --to <编号>',
  'staff.reassign.same': '--from 和 --to 是同一个人',
  'staff.reassign.inactiveTo': '人员 {id} 已停用',
  'staff.reassign.notCaseworker': '人员 {id} 是管理员；名单只能交给儿童主任或督导员',
  'staff.moved': '已把 {count} 名儿童从人员 {from} 转给人员 {to}。',
  'staff.col.id': '编号',
  'staff.col.name': '姓名',
  'staff.col.role': '角色',
  'staff.col.area': '地区',
  'staff.col.channels': '渠道',
  'staff.col.caseload': '名单人数',
  'staff.col.active': '在职',
  'staff.notBound': '（未绑定）',
  'staff.pickLabel': '{name}（编号 {id}，{role}，{area}）',
  yes: '是',
  no: '否',
  'role.caseworker': '儿童主任',
  'role.supervisor': '督导员',
  'role.admin': '管理员',

  'audit.summary': '查看某个儿童或某份报告的审计记录',
  'audit.help': `用法：
  npm run -s admin -- audit --child <编号|姓名>
  npm run -s admin -- audit --report <编号|BG-…>

按时间列出对儿童档案的每次查看、修改和被拒绝的访问：时间、人员（编号、姓名、角色）、渠道（telegram、feishu、local、cli）、
操作。审计日志只能追加：数据库拒绝修改它。同名儿童会列出让你选择。`,
  'audit.exactlyOne': '请给出 --child 或 --report 中的一个',
  'audit.noChild': '没有编号为 {id} 的儿童',
  'audit.noChildNamed': '没有叫“{name}”的儿童',
  'audit.noReport': '没有编号为 {id} 的报告',
  'audit.ofChild': '儿童 {id}（{name}，{status}）的审计记录',
  'audit.ofReport': '报告 {id}（{ref}）的审计记录',
  'audit.empty': '（没有记录）',
  'audit.administrator': '（管理员）',
  'audit.childPick': '{name}（编号 {id}，{birth}，{area}）',
  'audit.col.when': '时间',
  'audit.col.who': '人员',
  'audit.col.channel': '渠道',
  'audit.col.action': '操作',
  'audit.col.detail': '详情',

  'policy.summary': '查看或修改两次走访之间最多相隔几天',
  'policy.help': `用法：
  npm run -s admin -- policy list
  npm run -s admin -- policy set --category <类别|*> --risk <red|orange|yellow|green> --days <天数>

类别为 * 的行适用于所有儿童；某个类别的行适用于该类别的儿童（有多个类别的儿童取最短间隔）。
类别：{categories}

示例：
  npm run -s admin -- policy set --category left_behind --risk green --days 30`,
  'policy.missingCategory': '缺少 --category（一个类别，或 * 表示所有儿童）',
  'policy.unknownCategory': '不认识的类别“{category}”；可用：*, {categories}',
  'policy.daysMax': '--days 最多 366',
  'policy.set': '{category}、{risk}风险的儿童：每 {days} 天走访一次。',
  'policy.everyChild': '所有儿童',
  'policy.col.category': '类别',
  'policy.col.risk': '风险',
  'policy.col.days': '天数',

  'export.summary': '把一个地区的儿童、走访、报告导出为 CSV 或 .xlsx；导出月度统计',
  'export.help': `用法：
  npm run -s admin -- export children|visits|reports --area <代码> [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                  --format csv|xlsx [--out <文件>] [--full-id] [--as <人员编号>]
  npm run -s admin -- export stats [--month YYYY-MM] [--area <代码或名称>] [--as <人员编号>] [--out <文件.xlsx>]

导出该地区及其下级的全部数据。--from/--to 按走访日期选走访，按提交日期选报告，按登记日期选儿童。没有 --out 时 CSV
输出到标准输出（.xlsx 必须给 --out）。身份证号和电话默认打码，--full-id 才显示完整号码。--as <人员编号> 以此人的
权限导出（督导员只能导出自己的地区，不显示报告人，不允许 --full-id）；不给时是管理员自己的导出，会显示报告人。
stats 导出一个月的统计（默认上个月），与聊天中的 /stats 数字相同：--area 地区（默认整个县）下一级每个乡镇或村一行加合计，
列为在册儿童按类别和风险等级、按规定频次走访人数和比例、走访次数和覆盖人数、当前逾期、强制报告提交/30分钟内受理/结案。
没有 --out 时写到“月度统计-<地区>-<月份>.xlsx”；--format csv 输出 CSV。
每次导出都记入审计日志。--lang en 使用英文表头。

示例：
  npm run -s admin -- export visits --area 440103 --from 2026-01-01 --to 2026-06-30 --format xlsx --out 走访.xlsx
  npm run -s admin -- export stats --month 2026-11 --area 东风镇 --out 2026年11月统计.xlsx`,
  'export.what': '请说明导出什么：{kinds}',
  'export.missingFormat': '缺少 --format（csv 或 xlsx）',
  'export.xlsxNeedsOut': '.xlsx 导出需要 --out <文件>',
  'export.fromAfterTo': '--from {from} 晚于 --to {to}',
  'export.noStaff': '没有编号为 {id} 的在职人员',
  'export.caseworker': '导出只供督导员和管理员使用；儿童主任在聊天中查看自己的名单',
  'export.outside': '地区 {area} 不在 {name} 的地区 {own} 内',
  'export.fullIdAdminOnly': '--full-id 只允许管理员自己的导出使用',
  'export.done': '已导出 {count} 条{kind}到 {out}。',
  'export.doneFullId': '已导出 {count} 条{kind}到 {out}，含完整身份证号：请妥善保管文件。',
  'export.kind.children': '儿童',
  'export.kind.visits': '走访',
  'export.kind.reports': '报告',
  'export.kind.stats': '统计行',
  'export.stats.notBegun': '{month}还没有开始，没有数字可导出',
  'export.stats.unknownArea': '没有名称含“{name}”的地区（查看：npm run -s admin -- areas list）',
  'export.stats.needsArea': '区划中有 {count} 个最上级地区，请用 --area 指明统计哪一个',
  'export.stats.defaultOut': '月度统计-{area}-{month}.xlsx',
  'export.stats.done': '已把{area}{month}的月度统计（{count} 个下级地区加合计）写入 {out}。',

  'roster.summary': '从 CSV 或 .xlsx 名册导入儿童和名单分配（不加 --apply 时只试运行）',
  'roster.help': `用法：
  npm run -s admin -- import-roster <文件.csv|文件.xlsx> [--apply] [--quiet] [--report <报告.csv>]
  npm run -s admin -- import-roster --template <名册.xlsx|名册.csv>

列（中文或英文表头，顺序不限；只有姓名和村(社区)代码必填）：
  姓名  性别  出生日期  身份证号  类别（多个用 、 , ; / 分隔）  风险等级（红/橙/黄/绿）  村(社区)代码  住址  监护人
  与儿童关系  监护人电话  儿童主任（人员姓名或编号）  最近走访日期

不加 --apply 时什么都不写：逐行报告 新增、更新、未变 或 拒绝（附原因）。--apply 在一个事务中写入所有合格的行；被拒绝的
行跳过，改好后再导入。儿童按身份证号匹配，没有身份证号时按 姓名+出生日期+村代码 匹配，所以同一文件导入两次不会有变化；
空白单元格不会清除已有信息。新儿童的首次走访今天到期，除非名册给出最近走访日期。--quiet 只打印被拒绝的行和合计；
--report 另把逐行报告写成 CSV，方便在 Excel 中修改。--template 写出一个只有表头的空名册。

退出码：0 全部合格，3 有被拒绝的行，1 文件无法读取，2 用法错误。`,
  'roster.templateNoFile': '--template 写出新文件，不要同时给名册文件',
  'roster.template': '已写出空名册：{file}。',
  'roster.needFile': 'import-roster 需要一个文件（.csv 或 .xlsx）',
  'roster.ignored': '忽略的列（不认识）：{headers}',
  'roster.row': '第 {line} 行：{outcome} {who}{details}',
  'roster.noName': '（无姓名）',
  'roster.separator': '；',
  'roster.colon': '：',
  'roster.applied': '已导入：',
  'roster.dryRun': '试运行，未写入任何内容：',
  'roster.totals': '新增 {created}，更新 {updated}，未变 {unchanged}，拒绝 {rejected}',
  'roster.runApply': '确认无误后加 --apply 再运行一次，写入合格的行。',
  'roster.reportWritten': '逐行报告已写入 {file}。',
  'roster.outcome.created': '新增',
  'roster.outcome.updated': '更新',
  'roster.outcome.unchanged': '未变',
  'roster.outcome.rejected': '拒绝',
  'roster.col.line': '行号',
  'roster.col.outcome': '结果',
  'roster.col.name': '姓名',
  'roster.col.id': '身份证号',
  'roster.col.details': '说明',
} as const;

export type AdminKey = keyof typeof zh;

const en: Record<AdminKey, string> = {
  'cli.help': `Caseworker bot · administration

Usage: npm run -s admin -- <command> [options]      (every command has --help, e.g. npm run -s admin -- invite --help)

Commands:
{commands}

A first deployment: areas import → invite (supervisors, caseworkers) → import-roster (dry run) → import-roster --apply.
With DATABASE_URL set the commands use that PostgreSQL; otherwise the embedded database in DATA_DIR (./data) — and
while the service is running they are carried out by the service itself.
Global option: --lang zh-CN|en, the language of the output (default: DEFAULT_LOCALE). -s keeps npm from printing
the command line before the output, so scripts can read it.

Exit codes: 0 done, 1 failed (nothing written), 2 wrong usage, 3 done but some rows of the file were rejected.`,
  'cli.unknownCommand': 'Unknown command "{name}". Commands: {commands}. See: npm run -s admin -- --help',
  'cli.seeHelp': 'See: npm run -s admin -- {verb} --help',
  'cli.failed': '{verb} failed: {message}',
  'remote.noToken': 'The service (process {pid}) is using {dir} and has left no {file}: stop it, then run the command again.',
  'remote.noAnswer': "The service (process {pid}) is using {dir} but does not answer on {socket} ({error}). Run the command as the service's user, or stop the service.",
  'remote.refused': 'The running service refused the command: {message}',
  'remote.wrongToken': 'The service (process {pid}) does not accept the token in {file} of {dir}; the command was not run. Check that the command and the service use the same DATA_DIR, and run it as the service\'s user.',
  'cli.error': '{verb}: {message}',
  'usage.unknownOption': 'unknown option {option}',
  'usage.needsValue': 'option {option} needs a value',
  'usage.unexpected': 'unexpected argument "{arg}"',
  'usage.missing': 'missing --{option}',
  'usage.positiveInt': '{what} must be a positive whole number, got "{value}"',
  'usage.oneOf': '--{option} must be one of {allowed}; got "{value}"',
  'usage.date': '--{option} must be a date like 2026-01-31; got "{value}"',
  'usage.month': '--{option} must be a month like 2026-11; got "{value}"',
  'usage.lang': '--lang must be zh-CN or en',
  'usage.action': '{verb} needs an action: {actions}',
  'usage.unknownAction': 'unknown action "{action}" ({actions})',
  'io.noFile': 'no such file: {path}',
  'io.cannotRead': 'cannot read {path}: {message}',
  'pick.several': '{count} match "{name}":',
  'pick.ask': 'Type a number (1–{count}), or just Enter to cancel: ',
  'pick.cancelled': 'Cancelled; nothing was changed.',
  'pick.useId': 'Several match "{name}": give the id instead (listed above).',
  'pick.line': '{n}. {label}',

  'areas.summary': 'import the area tree from a CSV of division codes, or list it',
  'areas.help': `Usage:
  npm run -s admin -- areas import <file.csv|file.xlsx> [--dry-run]
  npm run -s admin -- areas list [--under <code>]

import  Reads columns code,name[,parent_code][,level] (or 代码,名称[,上级代码][,级别]). The level comes from the
        code's length — 2 province, 4 city, 6 county, 9 township, 12 village (12-digit codes padded with zeros
        are shortened) — unless a level column says otherwise. Existing areas are updated; re-importing the same
        file changes nothing. --dry-run shows what would change.
list    Prints the tree (or the subtree under <code>) with the number of children in each area.

Example:
  npm run -s admin -- areas import areas.csv
  npm run -s admin -- areas list --under 440103`,
  'areas.needFile': 'areas import needs a file',
  'areas.rejected': 'line {line}: rejected {code} {name}: {reason}',
  'areas.totals': 'created {created}, updated {updated}, unchanged {unchanged}, rejected {rejected}',
  'areas.dryRun': 'Dry run — nothing written. Would be: ',
  'areas.none': 'No areas yet. Import them with: npm run -s admin -- areas import <file.csv>',
  'areas.noCode': '(no code)',
  'areas.col.code': 'code',
  'areas.col.name': 'name',
  'areas.col.level': 'level',
  'areas.col.children': 'children',
  'level.province': 'province',
  'level.city': 'city',
  'level.county': 'county',
  'level.township': 'township',
  'level.village': 'village',
  'area.unknown': 'unknown area code {code}: see npm run -s admin -- areas list',

  'invite.summary': 'one-time invite codes for caseworkers, supervisors, admins; printable invite sheets from the roster',
  'invite.help': `Usage:
  npm run -s admin -- invite --role caseworker|supervisor|admin --area <code> [--name <name>] [--days 14]
  npm run -s admin -- invite --staff <id|name> [--days 14]
  npm run -s admin -- invite --roster <staff.xlsx|.csv> [--apply --out <sheet.html>] [--days 14]
  npm run -s admin -- invite --revoke <id|name>

Prints a one-time code (stored only as a hash) that the person sends to the bot — on Telegram the printed link
does it in one tap. The code expires after --days (default 14, at most 90). A new code for the same person
revokes their old one at once.
  --role, --area  the new person's role and the area they work in (a village for a caseworker, a township
                  or county for a supervisor)
  --name          their name; their staff record is created at once (so the roster can name them as caseworker
                  before they join).
  --staff         a code for an existing person (a new phone, a second channel), by id or name
  --roster        codes for everyone on a staff list (columns 姓名/name, 角色/role, 地区代码/area_code). A dry run
                  unless --apply; with --apply --out sheet.html it makes the codes and writes a printable invite
                  sheet (a card per person: name, area, role, code, a QR code per channel), and a PDF beside it
                  where Chromium is installed. People already on record get a new code; their old one stops working.
  --revoke        revokes every unused code of that person

Example:
  npm run -s admin -- invite --role caseworker --area 440103001001 --name 李梅`,
  'invite.daysMax': '--days may be at most 90',
  'invite.missingRole': 'missing --role (caseworker, supervisor or admin)',
  'invite.missingArea': 'missing --area (the area code the person works in)',
  'invite.staffFixed': '--staff binds an existing record: leave out --role and --area (they come from the record)',
  'invite.inactive': 'staff member {id} ({name}) is deactivated',
  'invite.for': 'Invite for {who}',
  'invite.staffId': 'staff id {id}',
  'invite.code': 'Code: {code}',
  'invite.valid': 'Valid until {until} ({tz}); it works once.',
  'invite.revoked': 'Revoked {count} earlier unused code(s) of this person.',
  'invite.telegram': 'Telegram: open {link}',
  'invite.telegramNoName': "Telegram: send the bot the message  /start {code}  (the bot's name could not be fetched just now)",
  'invite.feishu': 'Feishu/Lark: send the bot the code {code} in a private chat',
  'invite.local': 'Local chat: open the chat page and send {code}',
  'invite.rosterNeedsNoRole': '--roster reads role and area from the list: leave out --role, --area, --name and --staff',
  'invite.sheetNeedsOut': 'with --apply, give --out <sheet.html>',
  'invite.row.new': 'line {line}: new person {name} ({role}, {area})',
  'invite.row.reissue': 'line {line}: new code for {name} (id {id}, {role}, {area}): their old code will stop working',
  'invite.row.rejected': 'line {line}: rejected {name}: {reasons}',
  'invite.batch.dryRun': 'Dry run — nothing written: {created} new, {reissued} new codes for known people, {rejected} rejected. Add --apply --out <sheet.html> to make the codes and the sheet.',
  'invite.batch.done': 'Made {count} codes ({created} new people, {reissued} new codes; {revoked} old codes revoked); {rejected} rows rejected.',
  'invite.batch.sheet': 'Invite sheet written to {file} (open it in a browser and print).',
  'invite.batch.pdf': 'PDF invite sheet written to {file}.',
  'invite.batch.noPdf': 'No Chromium on this machine ({path}): only the HTML sheet was written; open it in a browser to print or save as PDF.',
  'invite.revokeDone': 'Revoked {count} unused code(s) of {name} (id {id}).',
  'sheet.title': 'Invite sheet · {date}',
  'sheet.intro': 'Give each card to its person. They scan the QR code with their phone and follow the steps to link their account. A code works once; do not pass it on.',
  'sheet.code': 'Invite code',
  'sheet.telegram': 'Telegram: scan to open the bot; it links at once',
  'sheet.feishu': 'Feishu: scan to open the bot, then send the code {code}',
  'sheet.typeCode': 'Open the chat page and type the code above.',
  'sheet.valid': 'Valid until {until}',

  'staff.summary': 'list staff, deactivate or reactivate a person, move a caseload',
  'staff.help': `Usage:
  npm run -s admin -- staff list [--area <code>] [--all]
  npm run -s admin -- staff deactivate <id|name>
  npm run -s admin -- staff activate <id|name>
  npm run -s admin -- staff reassign --from <id|name> --to <id|name>

list        Everyone active in the area subtree (--all includes deactivated people), with their messenger
            channels and current caseload.
deactivate  Stops the person at once: none of their messenger accounts is recognised any more and their open
            form is cancelled. Their caseload stays assigned until you move it with reassign.
activate    Undoes a deactivation.
reassign    Moves the whole current caseload of --from to --to in one transaction (the history is kept).
A name shared by several people shows a pick-list (when not run interactively, give the id).`,
  'staff.needId': 'staff {action} needs a staff id or name (see staff list)',
  'staff.needFromTo': 'staff reassign needs --from and --to',
  'staff.none': 'No staff yet. Create invites with: npm run -s admin -- invite --role … --area …',
  'staff.unknown': 'no staff member with id {id}',
  'staff.unknownName': 'no staff member named "{name}"',
  'staff.already.active': 'staff member {id} is already active',
  'staff.already.inactive': 'staff member {id} is already deactivated',
  'staff.activated': '{name} ({id}) is active again.',
  'staff.deactivated': '{name} ({id}) is deactivated: their messenger accounts no longer work.',
  'staff.stillAssigned': '{count} children are still assigned to them. Move them with: npm run -s admin -- staff reassign --from {id} --to <id>',
  'staff.reassign.same': '--from and --to are the same person',
  'staff.reassign.inactiveTo': 'staff member {id} is deactivated',
  'staff.reassign.notCaseworker': 'staff member {id} is an admin; a caseload goes to a caseworker or supervisor',
  'staff.moved': 'Moved {count} children from staff {from} to staff {to}.',
  'staff.col.id': 'id',
  'staff.col.name': 'name',
  'staff.col.role': 'role',
  'staff.col.area': 'area',
  'staff.col.channels': 'channels',
  'staff.col.caseload': 'caseload',
  'staff.col.active': 'active',
  'staff.notBound': '(not bound)',
  'staff.pickLabel': '{name} (id {id}, {role}, {area})',
  yes: 'yes',
  no: 'no',
  'role.caseworker': 'caseworker',
  'role.supervisor': 'supervisor',
  'role.admin': 'admin',

  'audit.summary': "show a child's or a report's audit trail",
  'audit.help': `Usage:
  npm run -s admin -- audit --child <id|name>
  npm run -s admin -- audit --report <id|BG-…>

Every read of a child's file, every change, every refusal, in order: when, who (staff id, name, role), through
which channel (telegram, feishu, local, cli), what. The log is append-only: the database refuses to change it.
Children sharing a name are listed to choose from.`,
  'audit.exactlyOne': 'give exactly one of --child or --report',
  'audit.noChild': 'no child with id {id}',
  'audit.noChildNamed': 'no child named "{name}"',
  'audit.noReport': 'no report with id {id}',
  'audit.ofChild': 'Audit trail of child {id} ({name}, {status})',
  'audit.ofReport': 'Audit trail of report {id} ({ref})',
  'audit.empty': '(no entries)',
  'audit.administrator': '(administrator)',
  'audit.childPick': '{name} (id {id}, {birth}, {area})',
  'audit.col.when': 'when',
  'audit.col.who': 'who',
  'audit.col.channel': 'channel',
  'audit.col.action': 'action',
  'audit.col.detail': 'detail',

  'policy.summary': 'show or change how many days may pass between visits',
  'policy.help': `Usage:
  npm run -s admin -- policy list
  npm run -s admin -- policy set --category <category|*> --risk <red|orange|yellow|green> --days <n>

The row for category * applies to every child; a category's own row applies to children of that category
(a child with several categories gets the shortest interval).
Categories: {categories}

Example:
  npm run -s admin -- policy set --category left_behind --risk green --days 30`,
  'policy.missingCategory': 'missing --category (a category, or * for every child)',
  'policy.unknownCategory': 'unknown category "{category}"; one of: *, {categories}',
  'policy.daysMax': '--days may be at most 366',
  'policy.set': 'Visits for {category} at {risk} risk: every {days} days.',
  'policy.everyChild': 'every child',
  'policy.col.category': 'category',
  'policy.col.risk': 'risk',
  'policy.col.days': 'days',

  'export.summary': "export children, visits or reports of an area as CSV or .xlsx; the month's figures",
  'export.help': `Usage:
  npm run -s admin -- export children|visits|reports --area <code> [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                  --format csv|xlsx [--out <file>] [--full-id] [--as <staff id>]
  npm run -s admin -- export stats [--month YYYY-MM] [--area <code or name>] [--as <staff id>] [--out <file.xlsx>]

Exports the area and everything under it. --from/--to select visits by visit date, reports by the day they
were filed, children by the day they were registered. Without --out a CSV goes to standard output (an .xlsx
needs --out). ID and phone numbers are masked unless --full-id. --as <staff id> exports with that person's
rights (a supervisor: only their area; reporters are never named and --full-id is refused); without it the
export is the administrator's, which names each report's reporter. stats exports a month's figures (last month by
default), the same as /stats in the chat: a row per township or village one level below --area (default: the whole
county) and a total, with children on the roster by category and risk level, children visited as often as the policy
asks (count and share), visits and children reached, overdue now, mandatory reports filed / acknowledged within 30
minutes / closed. Without --out it is written to stats-<code>-<month>.xlsx; --format csv prints CSV. Every export is
recorded in the audit log. --lang en for English headers.

Examples:
  npm run -s admin -- export visits --area 440103 --from 2026-01-01 --to 2026-06-30 --format xlsx --out visits.xlsx
  npm run -s admin -- export stats --month 2026-11 --area 440103001 --out stats-2026-11.xlsx`,
  'export.what': 'say what to export: {kinds}',
  'export.missingFormat': 'missing --format (csv or xlsx)',
  'export.xlsxNeedsOut': 'an .xlsx export needs --out <file>',
  'export.fromAfterTo': '--from {from} is after --to {to}',
  'export.noStaff': 'no active staff member with id {id}',
  'export.caseworker': 'exports are for supervisors and admins; a caseworker sees their caseload in the chat',
  'export.outside': "area {area} is outside {name}'s area {own}",
  'export.fullIdAdminOnly': "--full-id is for the administrator's own export only",
  'export.done': 'Exported {count} {kind} to {out}.',
  'export.doneFullId': 'Exported {count} {kind} to {out} with FULL ID numbers: keep the file safe.',
  'export.kind.children': 'children',
  'export.kind.visits': 'visits',
  'export.kind.reports': 'reports',
  'export.kind.stats': 'rows of statistics',
  'export.stats.notBegun': '{month} has not begun: there are no figures to export',
  'export.stats.unknownArea': 'no area named like "{name}" (see npm run -s admin -- areas list)',
  'export.stats.needsArea': 'the area tree has {count} top areas: say which one with --area',
  'export.stats.defaultOut': 'stats-{code}-{month}.xlsx',
  'export.stats.done': "Wrote {area}'s figures for {month} ({count} areas below it and a total) to {out}.",

  'roster.summary': 'import children and caseload assignments from a CSV or .xlsx roster (dry run unless --apply)',
  'roster.help': `Usage:
  npm run -s admin -- import-roster <file.csv|file.xlsx> [--apply] [--quiet] [--report <report.csv>]
  npm run -s admin -- import-roster --template <roster.xlsx|roster.csv>

Columns (Chinese or English headers, any order; only name and area code are required):
  姓名/name  性别/sex  出生日期/birth_date  身份证号/id_number  类别/categories (several, separated by 、 , ; /)
  风险等级/risk (红/橙/黄/绿)  村(社区)代码/area_code  住址/address  监护人/guardian  与儿童关系/guardian_relation
  监护人电话/guardian_phone  儿童主任/caseworker (a staff name or id)  最近走访日期/last_visit

Without --apply nothing is written: every row is reported as created, updated, unchanged or rejected (with the
reason). --apply writes all good rows in one transaction; rejected rows are skipped, fix them and import again.
Children are matched by ID number, else by name + birth date + area code, so importing the same file twice
changes nothing; a blank cell never erases what is on record. A new child's first visit is due today unless the
roster gives a last visit date. --quiet prints only the rejected rows and the totals; --report also writes the
row-by-row report as a CSV to fix the rejected rows in Excel. --template writes an empty roster with the headers.

Exit code: 0 all rows good, 3 some rows rejected, 1 the file could not be read, 2 wrong usage.`,
  'roster.templateNoFile': '--template writes a new file; give no roster with it',
  'roster.template': 'Wrote an empty roster to {file}.',
  'roster.needFile': 'import-roster needs a file (.csv or .xlsx)',
  'roster.ignored': 'Ignored columns (not known): {headers}',
  'roster.row': 'line {line}: {outcome} {who}{details}',
  'roster.noName': '(no name)',
  'roster.separator': '; ',
  'roster.colon': ': ',
  'roster.applied': 'Applied: ',
  'roster.dryRun': 'Dry run — nothing written: ',
  'roster.totals': '{created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected',
  'roster.runApply': 'Run again with --apply to write the good rows.',
  'roster.reportWritten': 'Row-by-row report written to {file}.',
  'roster.outcome.created': 'created',
  'roster.outcome.updated': 'updated',
  'roster.outcome.unchanged': 'unchanged',
  'roster.outcome.rejected': 'rejected',
  'roster.col.line': 'line',
  'roster.col.outcome': 'outcome',
  'roster.col.name': 'name',
  'roster.col.id': 'id_number',
  'roster.col.details': 'details',
};

export const admin = { 'zh-CN': zh, en };
export const adminText = translator<AdminKey>(admin);
