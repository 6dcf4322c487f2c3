import type { DepartmentCode, Language, Role } from '../models/enums';

/** Demo data: deterministic, so screenshots, tests and the README stay reproducible. */

export const DEMO_PASSWORD = 'hotline952525';

/** `transfer`: the department's line an agent may transfer a caller to (转部门, Department.transferNumber). */
export const departments: Array<{ code: DepartmentCode; name: string; leader: string; onDuty: string; transfer?: string }> = [
  { code: 'business', name: '营业部', leader: '13800000101', onDuty: '13800000111', transfer: '075786000101' },
  { code: 'production', name: '生产部', leader: '13800000201', onDuty: '13800000211', transfer: '075786000201' },
  { code: 'engineering', name: '工程公司', leader: '13800000301', onDuty: '13800000311', transfer: '075786000301' },
  { code: 'safety_tech', name: '安监技术部', leader: '13800000401', onDuty: '13800000411' },
  { code: 'admin_hr', name: '行政人事部', leader: '13800000501', onDuty: '13800000511' },
  { code: 'dispatch', name: '供水调度中心', leader: '13800000601', onDuty: '13800000611' },
];

export interface SeedPerson {
  workNumber: string;
  name: string;
  role: Role;
  languages: Language[];
  extension?: string;
  department?: DepartmentCode;
  /** A department user who leads the department (approves extensions, Art. 9). */
  leader?: boolean;
}

/**
 * Per department a duty user (x01) and its leader (x11): 31xx business, 32xx production, 33xx
 * engineering… except engineering's duty user, 3001 since the first demo. 3002 stays free for tests.
 */
const DEPARTMENT_USER_BASE: Record<DepartmentCode, number> = { business: 3100, production: 3200, engineering: 3300, safety_tech: 3400, admin_hr: 3500, dispatch: 3600 };

export const departmentUsers: SeedPerson[] = departments.flatMap((d) => [
  ...(d.code === 'engineering' ? [] : [{ workNumber: String(DEPARTMENT_USER_BASE[d.code] + 1), name: `${d.name}值班员`, role: 'department' as const, languages: [], department: d.code }]),
  { workNumber: String(DEPARTMENT_USER_BASE[d.code] + 11), name: `${d.name}负责人`, role: 'department' as const, languages: [], department: d.code, leader: true },
]);

const agentNames = ['陈嘉欣', '李婉婷', '黄志强', '王丽娜', '张伟', '刘芳', '梁少华', '何敏', '周晓燕', '吴家豪'];
/** 1001–1003 Cantonese only, 1004–1006 Mandarin only, 1007–1010 both: both ACD paths get exercised. */
const agentLanguages = (i: number): Language[] => (i < 3 ? ['yue'] : i < 6 ? ['cmn'] : ['yue', 'cmn']);

export const people: SeedPerson[] = [
  ...agentNames.map((name, i) => ({
    workNumber: String(1001 + i),
    name,
    role: 'agent' as const,
    languages: agentLanguages(i),
    extension: String(1001 + i),
  })),
  { workNumber: '2001', name: '班长 林国栋', role: 'supervisor', languages: ['yue', 'cmn'], extension: '2001' },
  { workNumber: '9001', name: '系统管理员 郑海', role: 'admin', languages: [] },
  { workNumber: '3001', name: '工程公司值班员', role: 'department', languages: [], department: 'engineering' },
  ...departmentUsers,
];

export const areas = [
  { code: 'DC-01', name: '东城区', streets: ['东风路', '人民东路', '东湖路'] },
  { code: 'XC-02', name: '西城区', streets: ['西江路', '建设路', '文明路'] },
  { code: 'NC-03', name: '南城区', streets: ['南华路', '滨江路', '莲花路'] },
  { code: 'BC-04', name: '北城区', streets: ['北京路', '解放北路', '越秀路'] },
  { code: 'KF-05', name: '高新开发区', streets: ['科技大道', '创业路', '工业一路'] },
];

/** Who each area's outage notices are texted to besides its big users (Art. 17): an estate, its property manager, the community, an enterprise. */
export function areaContacts(): Array<{ areaCode: string; kind: 'enterprise' | 'estate' | 'property' | 'community'; name: string; phone: string }> {
  return areas.flatMap((a, i) => [
    { areaCode: a.code, kind: 'estate' as const, name: `${a.name}${a.streets[0]}花园`, phone: `1350000${i}001` },
    { areaCode: a.code, kind: 'property' as const, name: `${a.name}物业管理处`, phone: `1350000${i}002` },
    { areaCode: a.code, kind: 'community' as const, name: `${a.streets[1]}社区居委会`, phone: `1350000${i}003` },
    { areaCode: a.code, kind: 'enterprise' as const, name: `${a.name}${enterprises[i % enterprises.length]}`, phone: `1350000${i}004` },
  ]);
}

const surnames = ['陈', '李', '黄', '张', '梁', '刘', '林', '何', '王', '吴', '郑', '谢', '罗', '邓', '冯'];
const given = ['伟', '芳', '敏', '强', '丽', '军', '静', '磊', '婷', '杰', '霞', '涛', '燕', '斌', '琳'];
const enterprises = ['美的电器厂', '华润啤酒厂', '人民医院', '第一中学', '万达广场', '碧桂园物业', '南方印染厂', '中心酒店'];

/** mulberry32: a tiny seeded PRNG, so the 200 customers (and the tests' seeded sequences) are the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedCustomer {
  accountNumber: string;
  name: string;
  phones: string[];
  address: string;
  areaCode: string;
  bigUser: boolean;
  preferredLanguage?: Language;
}

export function customers(count = 200): SeedCustomer[] {
  const rand = prng(952525);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: SeedCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const area = areas[i % areas.length]!;
    const bigUser = i % 25 === 0;
    const name = bigUser ? `${area.name}${enterprises[(i / 25) % enterprises.length]}` : pick(surnames) + pick(given) + (rand() < 0.5 ? pick(given) : '');
    const phone = `139${String(10_000_000 + i * 7919).slice(-8)}`;
    const lang = rand();
    out.push({
      accountNumber: String(20_000_001 + i),
      name,
      phones: i % 10 === 0 ? [phone, `0760${String(8_000_000 + i).slice(-7)}`] : [phone],
      address: `${area.name}${pick(area.streets)}${1 + Math.floor(rand() * 300)}号`,
      areaCode: area.code,
      bigUser,
      // A third have a known language (the greeting skips the menu for them).
      ...(lang < 0.17 ? { preferredLanguage: 'yue' as const } : lang < 0.34 ? { preferredLanguage: 'cmn' as const } : {}),
    });
  }
  return out;
}
