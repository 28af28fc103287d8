/** A setting that cannot be used: its message is one sentence naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads one kind of value from the environment, or throws a ConfigError naming the variable. */
export class EnvReader {
  constructor(private readonly env: Env) {}

  /** A set, non-blank value, trimmed; undefined when unset or blank. */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
    }
    return Number(raw);
  }

  /**
   * An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P2D`, `PT12H`, `P1DT6H`,
   * `PT90S`), or `0`, in milliseconds. Years and months are refused: their length varies.
   */
  duration(name: string, fallback: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (raw === '0') return 0;
    const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/i.exec(raw);
    if (!match || raw.length < 3 || /T$/i.test(raw)) {
      throw new ConfigError(
        `${name} must be an ISO 8601 duration of weeks, days, hours, minutes or seconds (P2D, PT12H, P1DT6H) or 0, got "${raw}".`,
      );
    }
    const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
    return ((((weeks! * 7 + days!) * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(`${name} must be true or false, got "${raw}".`);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const found = allowed.find((value) => value === raw.toLowerCase());
    if (!found) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}".`);
    return found;
  }

  list(name: string, fallback: string[]): string[] {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) throw new ConfigError(`${name} must list at least one value.`);
    return items;
  }

  url(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
      throw new ConfigError(`${name} must be an http(s) URL, got "${raw}".`);
    }
    return raw;
  }

  redisUrl(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!URL.canParse(raw) || !/^rediss?:$/.test(new URL(raw).protocol)) {
      throw new ConfigError(`${name} must be a redis:// or rediss:// URL, got "${raw}".`);
    }
    return raw;
  }

  databaseUrl(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!URL.canParse(raw) || !/^postgres(ql)?:$/.test(new URL(raw).protocol)) {
      throw new ConfigError(
        `${name} must be a postgres:// or postgresql:// connection URL (leave it unset for the embedded database).`,
      );
    }
    return raw;
  }
}
