/**
 * The simulated broker storage: folders are implied by file paths. Listing a folder returns its
 * direct children, each with its full path (what the broker expects back to list a sub-folder).
 */
import type { SimExtraFile, SimRecording } from './recordings';

/** Undefined when `folder` does not exist. */
export function listFolder(
  folder: string,
  recordings: SimRecording[],
  extraFiles: SimExtraFile[],
): Array<Record<string, unknown>> | undefined {
  const all = [
    ...recordings.map((r) => ({
      path: r.path,
      type: 'FILE_TYPE_RECORDING_SESSION',
      size: r.size ?? 0,
      createdTime: r.createdTime ?? 0,
    })),
    ...extraFiles.map((f) => ({ path: f.path, type: f.type, size: f.size ?? 0, createdTime: 0 })),
  ];
  const prefix = folder === '' ? '' : `${folder}/`;
  const children = new Map<string, Record<string, unknown>>();
  let exists = folder === '';
  for (const file of all) {
    if (!file.path.startsWith(prefix)) continue;
    exists = true;
    const rest = file.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) {
      children.set(file.path, {
        path: file.path,
        type: file.type,
        createdTime: file.createdTime,
        modifiedTime: file.createdTime,
        size: file.size,
      });
    } else {
      const sub = prefix + rest.slice(0, slash);
      if (!children.has(sub))
        children.set(sub, { path: sub, type: 'FILE_TYPE_FOLDER', createdTime: 0, modifiedTime: 0, size: 0 });
    }
  }
  return exists ? [...children.values()] : undefined;
}
