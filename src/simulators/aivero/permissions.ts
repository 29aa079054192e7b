/**
 * Which role may do what. Hasura hides what a role may not use: the field is simply absent from that
 * role's schema (a query for it fails with validation-failed "field … not found in type …").
 * The real server's permissions are UNKNOWN; docs/simulators/aivero.md states these choices.
 */
export type Operation = 'select' | 'insert' | 'update' | 'delete';

export type RolePermissions = Record<string, ReadonlySet<Operation>>;

const ALL: ReadonlySet<Operation> = new Set(['select', 'insert', 'update', 'delete']);
const READ: ReadonlySet<Operation> = new Set(['select']);

const FULL: RolePermissions = {
  cameras: ALL,
  storage: ALL,
  recordingSessions: ALL,
  records: ALL,
  streams: ALL,
};

/** `user`: what a JWT from hasura-auth normally carries; manages sessions, reads cameras. */
const USER: RolePermissions = { ...FULL, cameras: READ };

/** `public` (HASURA_GRAPHQL_UNAUTHORIZED_ROLE, no credentials): may list cameras, nothing else. */
const PUBLIC: RolePermissions = { cameras: READ };

export const ROLES: Record<string, RolePermissions> = { admin: FULL, user: USER, public: PUBLIC };

/** Any other role has no permissions at all (Hasura then offers only `no_queries_available`). */
export function permissionsOf(role: string): RolePermissions {
  return Object.prototype.hasOwnProperty.call(ROLES, role) ? ROLES[role] : {};
}

export function can(perms: RolePermissions, table: string, op: Operation): boolean {
  return perms[table]?.has(op) ?? false;
}
