/** Province, city, district, town and sub-district, as Guangdong addresses lead with them. */
const ADMIN_PREFIX = /^(?:[\u4e00-\u9fa5]{2,8}?(?:省|自治区|市|区|县|镇|街道|社区|村委会))+/u;
/** The road: the shortest run of words ending in a road word (大道 before 道, 大街 before 街). */
const ROAD = /^([\u4e00-\u9fa5A-Za-z0-9]{1,12}?(?:大道|大街|路|街|巷|道))/u;

/**
 * The street of an address as callers give it (「东莞市莞城区东正路 12 号」 → 「东正路」), for the
 * hot spots' "streets that recur"; '' when none can be told (an estate name alone).
 */
export function streetOf(address: string | null | undefined): string {
  const s = (address ?? '').replace(/\s+/g, '').replace(ADMIN_PREFIX, '');
  return ROAD.exec(s)?.[1] ?? '';
}
