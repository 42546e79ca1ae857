// --dry-run (shadow mode) decides and reports but writes no decision, so its CSRs stay pending and
// every resync would report them again. This remembers the resourceVersion reported per CSR name
// (a pending CSR's version only changes when someone writes it), bounded: the oldest entry goes
// first, and decided or deleted CSRs are forgotten.
export class ReportedVersions {
  private readonly versions = new Map<string, string>();

  constructor(private readonly capacity = 100_000) {}

  reported(name: string, resourceVersion: string): boolean {
    return this.versions.get(name) === resourceVersion;
  }

  remember(name: string, resourceVersion: string): void {
    this.versions.delete(name);
    this.versions.set(name, resourceVersion);
    if (this.versions.size > this.capacity) this.versions.delete(this.versions.keys().next().value ?? '');
  }

  forget(name: string): void {
    this.versions.delete(name);
  }

  get size(): number {
    return this.versions.size;
  }
}
