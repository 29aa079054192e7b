/**
 * What the client learns from the server's schema once: the five enum value sets and the columns
 * of sessions and cameras (so a listing shows what the server has, and "newest first" uses
 * `createdAt` when it exists). When the role may not introspect, the documented values are used.
 */
import { RecorderError } from '../../common/errors';
import { DOC_ENUMS, ENUM_TYPES, type AiveroEnums, type EnumKind } from './enums';
import { introspectionDocument, typeFieldsDocument } from './documents';
import type { CallOptions, HttpTransport } from './http';

export interface SchemaInfo {
  enums: AiveroEnums;
  /** Per enum, where its values came from. */
  enumSource: Readonly<Record<EnumKind, 'introspection' | 'documentation'>>;
  sessionFields: readonly string[];
  cameraFields: readonly string[];
  /** Column for "newest first". */
  orderField: string;
  introspected: boolean;
}

export const DOC_SESSION_FIELDS = [
  'id',
  'name',
  'startDate',
  'endDate',
  'mode',
  'state',
  'maxTimeSeconds',
  'maxSizeMegabytes',
];
export const DOC_CAMERA_FIELDS = ['id', 'model', 'serial'];
const MAX_FIELDS = 40;

export const DOCUMENTED_SCHEMA: SchemaInfo = {
  enums: DOC_ENUMS,
  enumSource: {
    cameraModel: 'documentation',
    mode: 'documentation',
    state: 'documentation',
    streamType: 'documentation',
    encoder: 'documentation',
  },
  sessionFields: DOC_SESSION_FIELDS,
  cameraFields: DOC_CAMERA_FIELDS,
  orderField: 'startDate',
  introspected: false,
};

interface TypeRef {
  kind?: string;
  name?: string | null;
  ofType?: TypeRef | null;
}
interface FieldRef {
  name: string;
  type: TypeRef;
}
type EnumAnswer = { enumValues?: { name: string }[] | null } | null;
type IntrospectionAnswer = Partial<Record<EnumKind, EnumAnswer>> & {
  schema?: { queryType?: { fields?: FieldRef[] } };
};
type TypeFieldsAnswer = { session?: { fields?: FieldRef[] } | null; camera?: { fields?: FieldRef[] } | null };

function named(type: TypeRef | null | undefined): TypeRef | undefined {
  let t = type ?? undefined;
  for (let depth = 0; t && depth < 5; depth++) {
    if (t.kind !== 'NON_NULL' && t.kind !== 'LIST') return t;
    t = t.ofType ?? undefined;
  }
  return undefined;
}

/** Scalar and enum columns, as a selection; `fallback` when the type is unknown. */
function scalarFields(fields: FieldRef[] | undefined, fallback: readonly string[]): readonly string[] {
  if (!fields) return fallback;
  const names = fields
    .filter((f) => /^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(f.name))
    .filter((f) => ['SCALAR', 'ENUM'].includes(named(f.type)?.kind ?? ''))
    .map((f) => f.name);
  if (!names.includes('id')) return fallback;
  return names.slice(0, MAX_FIELDS);
}

/** Introspection refused (disabled for the role, or hidden fields): fall back, don't fail. */
function isRefusal(err: unknown): boolean {
  return err instanceof RecorderError && err.code === 'INPUT';
}

export async function loadSchema(http: HttpTransport, options?: CallOptions): Promise<SchemaInfo> {
  let answer: IntrospectionAnswer;
  try {
    answer = await http.request<IntrospectionAnswer>(
      introspectionDocument(ENUM_TYPES),
      {},
      'reading the schema',
      options,
    );
  } catch (err) {
    if (isRefusal(err)) return DOCUMENTED_SCHEMA;
    throw err;
  }
  const enums = { ...DOC_ENUMS } as Record<EnumKind, readonly string[]>;
  const enumSource = { ...DOCUMENTED_SCHEMA.enumSource } as Record<
    EnumKind,
    'introspection' | 'documentation'
  >;
  for (const kind of Object.keys(ENUM_TYPES) as EnumKind[]) {
    const values = answer[kind]?.enumValues
      ?.map((v) => v.name)
      .filter((v) => typeof v === 'string' && v.length <= 100);
    if (values && values.length > 0) {
      enums[kind] = values.slice(0, 200);
      enumSource[kind] = 'introspection';
    }
  }
  const roots = answer.schema?.queryType?.fields ?? [];
  const typeOf = (root: string): string | undefined =>
    named(roots.find((f) => f.name === root)?.type)?.name ?? undefined;
  const sessionType = typeOf('recordingSessions');
  const cameraType = typeOf('cameras');
  let types: TypeFieldsAnswer = {};
  const wanted: Record<string, string> = {
    ...(sessionType ? { session: sessionType } : {}),
    ...(cameraType ? { camera: cameraType } : {}),
  };
  if (Object.keys(wanted).length > 0) {
    try {
      types = await http.request<TypeFieldsAnswer>(
        typeFieldsDocument(wanted),
        wanted,
        'reading the schema',
        options,
      );
    } catch (err) {
      if (!isRefusal(err)) throw err;
    }
  }
  const sessionFields = scalarFields(types.session?.fields, DOC_SESSION_FIELDS);
  const orderField = ['createdAt', 'created_at', 'startDate'].find((f) => sessionFields.includes(f)) ?? 'id';
  return {
    enums,
    enumSource,
    sessionFields,
    cameraFields: scalarFields(types.camera?.fields, DOC_CAMERA_FIELDS),
    orderField,
    introspected: true,
  };
}
