// Texts the Telegram adapter itself says (everything else comes from the core): refusals, the command menu.
export const telegram = {
  'zh-CN': {
    groupRefusal: '为保护儿童信息，我只在私聊中办理业务。请点击我的头像，在私聊中给我发消息。',
    groupButtonRefusal: '请在私聊中使用',
    editedIgnored: '我只读取新消息，修改过的消息不会被处理。如需更正，请直接发送一条新消息。',
    unsupported: '这类消息我还读不懂。请发送文字、点按钮，或在需要时发送位置或照片。',
    failed: '抱歉，处理时出错了，请稍后再试。如果一直出错，请联系管理员。',
    staleButton: '这个按钮已失效',
    'command.menu': '主菜单',
    'command.visit': '记录走访',
    'command.report': '强制报告',
    'command.status': '查询儿童情况',
    'command.register': '登记新发现儿童',
    'command.cancel': '取消当前操作',
    'command.help': '使用帮助',
  },
  en: {
    groupRefusal:
      "To keep children's information safe I only work in private chats. Tap my name and write to me in a private chat.",
    groupButtonRefusal: 'Please use me in a private chat',
    editedIgnored: 'I only read new messages, so edits are not processed. To correct something, just send a new message.',
    unsupported: "I can't read this kind of message. Please send text, tap a button, or send a location or photo when asked.",
    failed: 'Sorry, something went wrong. Please try again later; if it keeps happening, contact your administrator.',
    staleButton: 'This button is no longer active',
    'command.menu': 'Main menu',
    'command.visit': 'Log a visit',
    'command.report': 'File a mandatory report',
    'command.status': "Check a child's status",
    'command.register': 'Register a newly found child',
    'command.cancel': 'Cancel what you are doing',
    'command.help': 'Help',
  },
} as const satisfies Record<'zh-CN' | 'en', Record<string, string>>;

export default telegram;
