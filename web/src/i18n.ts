/** The console's words, Chinese first (the users' working language), English on request. */
export type Lang = 'zh' | 'en';

const WORDS = {
  title: { zh: '网络运行监控', en: 'Network operations' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  login: { zh: '登录', en: 'Log in' },
  logout: { zh: '退出', en: 'Log out' },
  loginFailed: { zh: '登录失败', en: 'Login failed' },
  circuitsUp: { zh: '正常电路', en: 'Circuits up' },
  circuitsDown: { zh: '中断电路', en: 'Circuits down' },
  activeAlarms: { zh: '活动告警', en: 'Active alarms' },
  circuit: { zh: '电路', en: 'Circuit' },
  carrier: { zh: '运营商', en: 'Carrier' },
  carrierNo: { zh: '电路编号', en: 'Carrier no.' },
  bandwidth: { zh: '带宽', en: 'Bandwidth' },
  status: { zh: '状态', en: 'Status' },
  owner: { zh: '用户单位', en: 'Owner' },
  up: { zh: '链路正常', en: 'up' },
  down: { zh: '链路中断', en: 'down' },
  unknown: { zh: '未知', en: 'unknown' },
  language: { zh: 'English', en: '中文' },
} as const;

export type Word = keyof typeof WORDS;

export function t(lang: Lang, word: Word): string {
  return WORDS[word][lang];
}
