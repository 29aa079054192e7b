/**
 * Versioned configurations. A node type lists how its saved configuration changed, oldest first;
 * each step is data (a rename, a list that became lines, values renamed), so the runtime (here) and
 * the editor (resources/editor.js `migrate`, fed the same list by the build) apply the same steps.
 *
 * Every step applies by shape, not by version number alone: a rename happens only while the old
 * property is there and the new one is not. A flow saved before versions existed (no
 * `configVersion`), one the editor has already moved on, and a current one therefore all read the
 * same, whichever side saw them first. `configVersion` records the newest step a flow has been
 * through; the editor writes it on Done.
 */

export type MigrationStep =
  /** A property was renamed. */
  | { kind: 'rename'; from: string; to: string }
  /** A property that was a list of texts is one text, an item per line. */
  | { kind: 'lines'; field: string }
  /** Some values of a property were renamed. */
  | { kind: 'values'; field: string; map: Readonly<Record<string, string>> };

export interface Migration {
  /** The configuration version this step leads to (2, 3, …; a flow without one is version 1). */
  version: number;
  /** Why the shape changed, for the reader of the table. */
  why: string;
  steps: readonly MigrationStep[];
}

export const VERSION_PROPERTY = 'configVersion';

/** The version a node type's configuration has today. */
export function currentVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((top, m) => Math.max(top, m.version), 1);
}

function applyStep(config: Record<string, unknown>, step: MigrationStep): void {
  switch (step.kind) {
    case 'rename':
      if (step.from in config && !(step.to in config)) config[step.to] = config[step.from];
      delete config[step.from];
      return;
    case 'lines': {
      const value = config[step.field];
      if (Array.isArray(value)) config[step.field] = value.map((item) => String(item)).join('\n');
      return;
    }
    case 'values': {
      const value = config[step.field];
      if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(step.map, value))
        config[step.field] = step.map[value];
      return;
    }
  }
}

/** The saved configuration in today's shape (a copy; the saved one is left as it is). */
export function migrateConfig(
  saved: Readonly<Record<string, unknown>>,
  migrations: readonly Migration[],
): Readonly<Record<string, unknown>> {
  if (migrations.length === 0) return saved;
  const config: Record<string, unknown> = { ...saved };
  for (const migration of migrations) for (const step of migration.steps) applyStep(config, step);
  config[VERSION_PROPERTY] = currentVersion(migrations);
  return config;
}
