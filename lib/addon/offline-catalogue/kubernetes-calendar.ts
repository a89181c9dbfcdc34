/**
 * When each Kubernetes minor became available on EKS and when its support (standard, then extended for
 * 1.23 and later) ended. Used only by the offline catalogue's compatibility rule (see catalogue.ts and
 * docs/simulator.md#compatibility-rule); dates from the EKS Kubernetes release calendar, 1.35 and 1.36 estimated.
 */
export interface KubernetesRelease {
  readonly version: string;
  /** EKS general availability. */
  readonly available: string;
  /** End of EKS support (end of extended support from 1.23 on). */
  readonly endOfSupport: string;
}

export const KUBERNETES_CALENDAR: readonly KubernetesRelease[] = [
  { version: '1.17', available: '2020-07-10', endOfSupport: '2021-11-02' },
  { version: '1.18', available: '2020-10-13', endOfSupport: '2022-03-31' },
  { version: '1.19', available: '2021-02-16', endOfSupport: '2022-08-01' },
  { version: '1.20', available: '2021-05-18', endOfSupport: '2022-11-01' },
  { version: '1.21', available: '2021-07-19', endOfSupport: '2023-02-16' },
  { version: '1.22', available: '2022-04-04', endOfSupport: '2023-06-04' },
  { version: '1.23', available: '2022-08-11', endOfSupport: '2024-10-11' },
  { version: '1.24', available: '2022-11-15', endOfSupport: '2025-01-31' },
  { version: '1.25', available: '2023-02-21', endOfSupport: '2025-05-01' },
  { version: '1.26', available: '2023-04-11', endOfSupport: '2025-06-11' },
  { version: '1.27', available: '2023-05-24', endOfSupport: '2025-07-24' },
  { version: '1.28', available: '2023-09-26', endOfSupport: '2025-11-26' },
  { version: '1.29', available: '2024-01-23', endOfSupport: '2026-03-23' },
  { version: '1.30', available: '2024-05-23', endOfSupport: '2026-07-23' },
  { version: '1.31', available: '2024-09-26', endOfSupport: '2026-11-26' },
  { version: '1.32', available: '2025-01-23', endOfSupport: '2027-03-23' },
  { version: '1.33', available: '2025-05-29', endOfSupport: '2027-07-29' },
  { version: '1.34', available: '2025-10-02', endOfSupport: '2027-12-02' },
  { version: '1.35', available: '2026-01-27', endOfSupport: '2028-03-27' },
  { version: '1.36', available: '2026-05-27', endOfSupport: '2028-07-27' },
];

/** `1.29` → 29, for ordering Kubernetes minors. */
export const kubernetesMinor = (version: string): number => Number(version.split('.')[1]);
