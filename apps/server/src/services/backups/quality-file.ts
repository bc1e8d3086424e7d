/**
 * quality.json: what a task's or project's quality control needs that CVAT's backup layout has no
 * place for. CVAT keeps quality and consensus settings out of its backups (a restored task gets
 * the defaults) and writes a ground-truth job's disabled frames nowhere; Framewise writes them in
 * this file beside task.json (project.json), which CVAT's importer never reads. The file is
 * written only when something in it differs from the defaults, so a backup without quality
 * control is exactly CVAT's.
 *
 * Settings use CVAT's field names (QualitySettings, ConsensusSettings) and are restored through
 * the same checks as a PATCH of them.
 */
import { DEFAULT_CONSENSUS_SETTINGS, DEFAULT_QUALITY_SETTINGS, type QualitySettings } from '@framewise/core';
import type { Db } from '../../db/database.js';
import { consensusSettingsPatchSchema } from '../../dtos/consensus.dto.js';
import { qualitySettingsPatchSchema, storedSettings } from '../../dtos/quality.dto.js';
import { isAppError } from '../../errors.js';
import type { QualityRepository } from '../../repositories/quality.repository.js';
import type { Auth } from '../auth/auth.js';
import type { ConsensusService } from '../consensus.service.js';
import type { QualityService } from '../quality.service.js';
import { ExpectedFailure } from '../request-runner.js';
import { BACKUP_VERSION, type QualityFile } from './layout.js';

export type QualityOwner = { taskId: number } | { projectId: number };

export interface QualityFileDeps {
  quality: QualityService;
  qualityRows: QualityRepository;
  consensus: ConsensusService;
}

/** quality.json of a task or project as read from `db` (a backup's snapshot), or null when all is default. */
export async function qualityFileOf(db: Db, owner: QualityOwner, disabledFrames: readonly number[] = []): Promise<QualityFile | null> {
  const out: QualityFile = { version: BACKUP_VERSION };
  const row = await db
    .selectFrom('quality_settings')
    .select(['settings', 'inherit'])
    .where('taskId' in owner ? 'task_id' : 'project_id', '=', 'taskId' in owner ? owner.taskId : owner.projectId)
    .executeTakeFirst();
  if (row) {
    const settings = storedSettings(row);
    const keys = Object.keys(DEFAULT_QUALITY_SETTINGS) as Array<keyof QualitySettings>;
    if (keys.some((k) => settings[k] !== DEFAULT_QUALITY_SETTINGS[k])) out.quality_settings = { ...settings };
  }
  if ('taskId' in owner) {
    const c = await db.selectFrom('consensus_settings').select(['quorum', 'iou_threshold']).where('task_id', '=', owner.taskId).executeTakeFirst();
    const consensus = c && { quorum: Number(c.quorum), iou_threshold: Number(c.iou_threshold) };
    if (consensus && (consensus.quorum !== DEFAULT_CONSENSUS_SETTINGS.quorum || consensus.iou_threshold !== DEFAULT_CONSENSUS_SETTINGS.iou_threshold)) {
      out.consensus_settings = consensus;
    }
  }
  if (disabledFrames.length) out.validation_layout = { disabled_frames: [...disabledFrames] };
  return Object.keys(out).length > 1 ? out : null;
}

function invalid(file: string, part: string, issue: { path: PropertyKey[]; message: string }): ExpectedFailure {
  return new ExpectedFailure(`${file}: ${[part, ...issue.path.map(String)].join('.')}: ${issue.message}`);
}

/** Applies the settings of quality.json to the restored task or project, as PATCHes of them. */
export async function restoreQualitySettings(d: QualityFileDeps, auth: Auth, owner: QualityOwner, file: string, q: QualityFile): Promise<void> {
  const blame = (part: string) => (e: unknown) => {
    throw isAppError(e) ? new ExpectedFailure(`${file}: ${part}: ${e.message}`) : e;
  };
  if (q.quality_settings) {
    const parsed = qualitySettingsPatchSchema.safeParse(q.quality_settings);
    if (!parsed.success) throw invalid(file, 'quality_settings', parsed.error.issues[0]!);
    const row = await d.qualityRows.settingsOf(owner);
    await d.quality.patchSettings(auth, row.id, parsed.data).catch(blame('quality_settings'));
  }
  if (q.consensus_settings && 'taskId' in owner) {
    const parsed = consensusSettingsPatchSchema.safeParse(q.consensus_settings);
    if (!parsed.success) throw invalid(file, 'consensus_settings', parsed.error.issues[0]!);
    await d.consensus.patchSettings(auth, owner.taskId, parsed.data).catch(blame('consensus_settings'));
  }
}
