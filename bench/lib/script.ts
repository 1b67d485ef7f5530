// The log-a-visit conversation a caseworker has on Telegram, taking the long "record each item" path: 20 updates,
// buttons and typed text. The same script drives our bot and the peer; each bot shows the same questions with the
// same button labels.
export type Action = { say: string } | { press: string } | { pressIndex: number };

export const visitScript: readonly Action[] = [
  { say: '/visit' }, //             1  the menu: choose a child
  { pressIndex: 0 }, //             2  the first child (overdue first)
  { press: '今天' }, //             3  date
  { press: '入户' }, //             4  kind
  { press: '见到本人' }, //         5  seen
  { press: '逐项填写' }, //         6  record each item
  { press: '需关注' }, //           7  health
  { say: '咳嗽一周，奶奶没带去看病' }, // 8  note
  { press: '正常' }, //             9  mental
  { press: '正常' }, //            10  education
  { press: '正常' }, //            11  hygiene
  { press: '正常' }, //            12  living
  { press: '正常' }, //            13  guardianship
  { press: '否' }, //              14  agreement signed?
  { say: '缺少冬衣' }, //          15  needs
  { say: '联系村委会送冬衣' }, //  16  help given
  { press: '完成' }, //            17  attachments: none
  { press: '黄' }, //              18  risk level
  { pressIndex: 0 }, //            19  next visit: the policy date
  { press: '确认提交' }, //        20  confirm
];

/** Text the bot's last message contains when the visit was saved. */
export const savedMarker = '已保存';
