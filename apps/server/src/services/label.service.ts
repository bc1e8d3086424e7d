/**
 * Label sets of projects and tasks, with CVAT's write semantics:
 *   create  every entry is a new label (ids in it are ignored, as CVAT ignores them)
 *   patch   an entry with `id` updates that label (attributes with id are updated, without id
 *           the attribute of that name is updated or a new one added, `deleted: true` removes
 *           one); an entry with `deleted: true` removes the label; one without id adds a label.
 * A request is first turned into a plan against the stored labels; every problem of the plan is
 * reported (400, naming the field as the client wrote it) and nothing is written unless there
 * is none. The writes run inside the caller's transaction.
 */
import {
  attributeDraftProblems,
  attributeProblems,
  bindSkeletonSvg,
  duplicateIndexes,
  effectiveDefault,
  fieldPath,
  isAttributeInputType,
  labelOwnProblems,
  labelProblems,
  nextLabelColor,
  type AttributeDraft,
  type LabelDraft,
  type LabelProblem,
} from '@framewise/core';
import { sql, type Expression, type SqlBool, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { AttributeWrite, LabelWrite, SublabelWrite } from '../dtos/label.dto.js';
import { AppError } from '../errors.js';
import type { ListPage } from '../http/list-query.js';
import type {
  AttributeRecord,
  LabelOwner,
  LabelRecord,
  LabelRepository,
  NewAttribute,
} from '../repositories/label.repository.js';
import { labelAccess, type AccessService } from './access.js';
import type { Auth } from './auth/auth.js';

interface AttributePlan {
  create: NewAttribute[];
  update: Array<{ id: number; attr: NewAttribute }>;
  remove: number[];
}

interface LabelValues {
  name?: string;
  color?: string;
  type?: string;
}

interface CreatePlan {
  name: string;
  color: string;
  type: string;
  svg: string;
  attributes: NewAttribute[];
  sublabels: Array<{ name: string; color: string; type: string; attributes: NewAttribute[]; previousId: number | undefined }>;
}

interface UpdatePlan {
  id: number;
  values: LabelValues;
  attributes: AttributePlan;
  sublabels: Array<{ id: number; values: LabelValues; attributes: AttributePlan }>;
}

interface Plan {
  remove: number[];
  update: UpdatePlan[];
  create: CreatePlan[];
}

type Mode = 'create' | 'patch';

export interface LabelSource {
  project_id?: number | undefined;
  task_id?: number | undefined;
  job_id?: number | undefined;
}

/** A skeleton's points are points unless the client says otherwise (CVAT's model default is 'any'). */
const POINT_TYPE = 'points';

export class LabelService {
  constructor(
    private readonly labels: LabelRepository,
    private readonly access: AccessService,
  ) {}

  /**
   * Checks what can be checked of `specs` without the stored labels, naming `${field}[i]...`:
   * entries without id fully (they create labels), entries with id as far as they go (the
   * fields and attributes they carry), names unique among them. createFor and patchFor check
   * everything again against what is stored, so calling this first only fails earlier.
   */
  validate(specs: LabelWrite[], field: string): void {
    throwIfAny(requestProblems(specs, paths(field, specs)));
  }

  /** Adds `specs` as new labels of the owner (a project or task created in the same transaction). */
  async createFor(db: Db | Transaction<DB>, owner: LabelOwner, specs: LabelWrite[]): Promise<void> {
    await this.apply(db, owner, specs, paths('labels', specs), 'create');
  }

  /** Applies CVAT's PATCH semantics for `labels` (see the top of this file) to the owner's labels. */
  async patchFor(db: Db | Transaction<DB>, owner: LabelOwner, specs: LabelWrite[]): Promise<void> {
    await this.apply(db, owner, specs, paths('labels', specs), 'patch');
  }

  /**
   * GET /api/labels. `source` picks whose labels (at most one of the three); without one, every
   * label the caller may see. `query` carries the list parameters (page, sort, filters).
   */
  async list(auth: Auth, source: LabelSource, query: Record<string, unknown>): Promise<ListPage<LabelRecord>> {
    const given = (['project_id', 'task_id', 'job_id'] as const).filter((k) => source[k] !== undefined);
    if (given.length > 1) throw AppError.invalid(given[1]!, 'job_id, task_id and project_id cannot be used together');
    const scope: Array<Expression<SqlBool>> = [];
    if (source.project_id !== undefined) {
      await this.access.requireProject(auth, source.project_id, 'view');
      scope.push(sql<SqlBool>`labels.project_id = ${source.project_id}`);
    } else if (source.task_id !== undefined || source.job_id !== undefined) {
      // A job shows its task's labels, and a task in a project its project's.
      const task =
        source.task_id !== undefined
          ? await this.access.requireTask(auth, source.task_id, 'view')
          : await this.access.requireJob(auth, source.job_id!, 'view').then((j) => ({ id: j.task_id, project_id: j.project_id }));
      scope.push(
        task.project_id !== null ? sql<SqlBool>`labels.project_id = ${task.project_id}` : sql<SqlBool>`labels.task_id = ${task.id}`,
      );
    } else {
      scope.push(labelAccess(auth, 'view'));
    }
    // CVAT lists top-level labels only (points come inside their skeleton); asking for a
    // parent_id is the one way to list a skeleton's points on their own.
    if (query.parent_id === undefined || query.parent_id === '') scope.push(sql<SqlBool>`labels.parent_id is null`);
    return this.labels.list(sql<SqlBool>`(${sql.join(scope, sql` and `)})`, query);
  }

  async get(auth: Auth, id: number): Promise<LabelRecord> {
    const label = await this.labels.findById(id, labelAccess(auth, 'view'));
    if (!label) throw AppError.notFound('label', id);
    return label;
  }

  /** PATCH /api/labels/{id}: the same as patching the label through its project or task. */
  async update(auth: Auth, id: number, patch: Omit<LabelWrite, 'id'>): Promise<LabelRecord> {
    const label = await this.changeable(auth, id, 'modified');
    if (patch.deleted) throw AppError.invalid('deleted', 'labels cannot be deleted by updating them; send DELETE instead');
    await this.labels.transaction((trx) => this.apply(trx, ownerOf(label), [{ ...patch, id }], [''], 'patch'));
    return this.get(auth, id);
  }

  async remove(auth: Auth, id: number): Promise<void> {
    const label = await this.changeable(auth, id, 'deleted');
    const owner = ownerOf(label);
    await this.labels.transaction(async (trx) => {
      const repo = this.labels.on(trx);
      await repo.lockOwner(owner);
      await repo.deleteLabel(id);
      await repo.touchOwner(owner);
    });
  }

  private async changeable(auth: Auth, id: number, verb: string): Promise<LabelRecord> {
    const label = await this.get(auth, id);
    if (label.parent_id !== null) {
      throw new AppError(
        'BAD_REQUEST',
        `Sublabels cannot be ${verb} this way. Please send a PATCH request with updated parent label data instead.`,
      );
    }
    await this.access.requireLabelOwner(auth, label, 'change');
    return label;
  }

  private async apply(db: Db | Transaction<DB>, owner: LabelOwner, specs: LabelWrite[], at: string[], mode: Mode): Promise<void> {
    if (specs.length === 0) return;
    const repo = this.labels.on(db);
    if (!(await repo.lockOwner(owner))) throw AppError.notFound('projectId' in owner ? 'project' : 'task');
    const existing = await repo.listForOwner(owner);
    const { plan, problems } = planLabels(existing, await repo.colorsOf(owner), specs, at, mode);
    throwIfAny(problems);

    for (const id of plan.remove) await repo.deleteLabel(id);
    for (const u of plan.update) {
      await repo.updateLabel(u.id, u.values);
      await applyAttributes(repo, u.id, u.attributes);
      for (const s of u.sublabels) {
        await repo.updateLabel(s.id, s.values);
        await applyAttributes(repo, s.id, s.attributes);
      }
    }
    let position = existing.length;
    for (const c of plan.create) {
      const id = await repo.insertLabel(owner, { name: c.name, color: c.color, type: c.type, svg: '', parent_id: null, position: position++ });
      await repo.insertAttributes(id, c.attributes);
      const nodes = [];
      for (const [i, s] of c.sublabels.entries()) {
        const sid = await repo.insertLabel(owner, { name: s.name, color: s.color, type: s.type, svg: '', parent_id: id, position: i });
        await repo.insertAttributes(sid, s.attributes);
        nodes.push({ name: s.name, id: sid, ...(s.previousId !== undefined ? { previousId: s.previousId } : {}) });
      }
      if (c.type === 'skeleton') await repo.updateLabel(id, { svg: bindSkeletonSvg(c.svg, nodes) });
    }
    if (mode === 'patch') await repo.touchOwner(owner);
  }
}

async function applyAttributes(repo: LabelRepository, labelId: number, plan: AttributePlan): Promise<void> {
  for (const id of plan.remove) await repo.deleteAttribute(id);
  for (const u of plan.update) await repo.updateAttribute(u.id, u.attr);
  await repo.insertAttributes(labelId, plan.create);
}

function ownerOf(label: LabelRecord): LabelOwner {
  return label.project_id !== null ? { projectId: label.project_id } : { taskId: label.task_id! };
}

function paths(field: string, specs: unknown[]): string[] {
  return specs.map((_, i) => `${field}[${i}]`);
}

function throwIfAny(problems: LabelProblem[]): void {
  const first = problems[0];
  if (!first) return;
  throw new AppError(
    'VALIDATION',
    `${first.path}: ${first.message}`,
    problems.map((p) => ({ field: p.path, message: p.message })),
  );
}

/** Stored form of a valid attribute: a missing default becomes the one CVAT would use. */
function toNewAttribute(a: AttributeDraft): NewAttribute {
  const base = { name: a.name, mutable: a.mutable, input_type: a.input_type, values: a.values };
  const default_value = isAttributeInputType(a.input_type) ? effectiveDefault({ ...a, input_type: a.input_type }) : a.default_value;
  return { ...base, default_value };
}

function attributeDraft(a: AttributeWrite, defaultValue = a.default_value ?? ''): AttributeDraft {
  return { name: a.name, mutable: a.mutable, input_type: a.input_type, default_value: defaultValue, values: a.values };
}

function sublabelDraft(s: SublabelWrite): LabelDraft {
  return { name: s.name, color: s.color ?? '', type: s.type ?? POINT_TYPE, attributes: s.attributes.map((a) => attributeDraft(a)), sublabels: [] };
}

/** The database-free part of the rules; see validate(). */
function requestProblems(specs: LabelWrite[], at: string[]): LabelProblem[] {
  const problems: LabelProblem[] = [];
  const named: Array<{ name: string; path: string }> = [];
  specs.forEach((spec, i) => {
    const p = at[i]!;
    if (spec.id === undefined) {
      if (spec.deleted) return problems.push({ path: fieldPath(p, 'id'), message: 'a deleted label needs its id' });
      const draft = newLabelDraft(spec);
      problems.push(...labelProblems(draft, p));
      named.push({ name: draft.name, path: p });
      return;
    }
    if (spec.deleted) return;
    if (spec.name !== undefined) named.push({ name: spec.name, path: p });
    // Only what the entry carries: the rest is the stored label's, checked by patchFor.
    const carried: LabelDraft = { name: spec.name ?? '-', color: spec.color ?? '', type: spec.type ?? 'any', attributes: [], sublabels: [] };
    problems.push(...labelOwnProblems(carried, p).filter((x) => x.path !== fieldPath(p, 'sublabels')));
    if (spec.type !== undefined && spec.type !== 'skeleton' && spec.sublabels?.length) {
      problems.push({ path: fieldPath(p, 'sublabels'), message: 'only skeleton labels have sublabels' });
    }
    const live = spec.attributes.map((a, j) => ({ a, j })).filter(({ a }) => !a.deleted);
    for (const k of duplicateIndexes(live.map(({ a }) => a.name))) {
      problems.push({ path: fieldPath(p, `attributes[${live[k]!.j}].name`), message: `duplicate attribute name "${live[k]!.a.name}"` });
    }
    for (const { a, j } of live) problems.push(...attributeDraftProblems(attributeDraft(a), fieldPath(p, `attributes[${j}]`)));
    (spec.sublabels ?? []).forEach((s, k) => problems.push(...labelProblems(sublabelDraft(s), fieldPath(p, `sublabels[${k}]`), true)));
  });
  for (const k of duplicateIndexes(named.map((n) => n.name))) {
    problems.push({ path: fieldPath(named[k]!.path, 'name'), message: `duplicate label name "${named[k]!.name}": label names must be unique` });
  }
  return problems;
}

function newLabelDraft(spec: LabelWrite): LabelDraft {
  return {
    name: spec.name ?? '',
    color: spec.color ?? '',
    type: spec.type ?? 'any',
    attributes: spec.attributes.map((a) => attributeDraft(a)),
    sublabels: (spec.sublabels ?? []).map(sublabelDraft),
  };
}

/** Turns a request into a plan against the stored labels, collecting every problem. Pure: it reads `existing` and `usedColors` only. */
function planLabels(
  existing: LabelRecord[],
  usedColors: string[],
  specs: LabelWrite[],
  at: string[],
  mode: Mode,
): { plan: Plan; problems: LabelProblem[] } {
  const problems: LabelProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  const colors = [...usedColors];
  const color = (given: string | undefined): string => {
    if (given) return given;
    const c = nextLabelColor(colors);
    colors.push(c);
    return c;
  };
  const plan: Plan = { remove: [], update: [], create: [] };
  const touched = new Set<number>();
  // Top-level names after the request, untouched labels first, so a clash is reported on the entry that caused it.
  const names: Array<{ name: string; path: string | null }> = [];

  specs.forEach((spec, i) => {
    const p = at[i]!;
    if (mode === 'create' || spec.id === undefined) {
      if (spec.deleted) {
        if (mode === 'create') problem(fieldPath(p, 'deleted'), 'labels can only be deleted when updating');
        else problem(fieldPath(p, 'id'), 'a deleted label needs its id');
        return;
      }
      spec.attributes.forEach((a, j) => {
        if (a.deleted) problem(fieldPath(p, `attributes[${j}].deleted`), 'a new label has no attributes to delete');
      });
      const draft = newLabelDraft(spec);
      problems.push(...labelProblems(draft, p));
      names.push({ name: draft.name, path: p });
      plan.create.push({
        name: draft.name,
        color: color(spec.color),
        type: draft.type,
        svg: spec.svg ?? '',
        attributes: draft.attributes.map(toNewAttribute),
        sublabels: draft.type !== 'skeleton' ? [] : draft.sublabels.map((s, k) => ({
          name: s.name,
          color: color(spec.sublabels![k]!.color),
          type: s.type,
          attributes: s.attributes.map(toNewAttribute),
          previousId: spec.sublabels![k]!.id,
        })),
      });
      return;
    }

    const target = existing.find((l) => l.id === spec.id);
    if (!target) return problem(fieldPath(p, 'id'), `no label ${spec.id} here`);
    if (touched.has(target.id)) return problem(fieldPath(p, 'id'), `label ${target.id} appears twice`);
    touched.add(target.id);
    if (spec.deleted) {
      plan.remove.push(target.id);
      return;
    }
    const type = spec.type ?? target.type;
    if ((type === 'skeleton') !== (target.type === 'skeleton')) {
      problem(fieldPath(p, 'type'), `a ${target.type} label cannot become a ${type} label: skeletons keep their type`);
      return;
    }
    const merged: LabelDraft = {
      name: spec.name ?? target.name,
      color: spec.color || target.color,
      type,
      attributes: [],
      sublabels: type === 'skeleton' ? target.sublabels.map(recordDraft) : (spec.sublabels ?? []).map(sublabelDraft),
    };
    problems.push(...labelOwnProblems(merged, p));
    names.push({ name: merged.name, path: p });
    plan.update.push({
      id: target.id,
      values: changed(target, spec),
      attributes: planAttributes(target.attributes, spec.attributes, fieldPath(p, 'attributes'), problems),
      sublabels: type === 'skeleton' ? planSublabels(target.sublabels, spec.sublabels ?? [], fieldPath(p, 'sublabels'), problems) : [],
    });
  });

  const all = [...existing.filter((l) => !touched.has(l.id)).map((l) => ({ name: l.name, path: null })), ...names];
  for (const k of duplicateIndexes(all.map((n) => n.name))) {
    const n = all[k]!;
    if (n.path !== null) problem(fieldPath(n.path, 'name'), `duplicate label name "${n.name}": label names must be unique`);
  }
  return { plan, problems };
}

function recordDraft(l: LabelRecord): LabelDraft {
  return { name: l.name, color: l.color, type: l.type, attributes: [], sublabels: [] };
}

type Named = { name?: string | undefined; color?: string | undefined; type?: string | undefined };

/** The fields of `spec` that differ from the stored label; an empty color keeps the stored one. */
function changed(target: Required<LabelValues>, spec: Named): LabelValues {
  const values: LabelValues = {};
  if (spec.name !== undefined && spec.name !== target.name) values.name = spec.name;
  if (spec.color && spec.color !== target.color) values.color = spec.color;
  if (spec.type !== undefined && spec.type !== target.type) values.type = spec.type;
  return values;
}

/**
 * A skeleton's points can be renamed, recolored and given attributes, but not added or removed:
 * the SVG layout refers to them (CVAT does not edit stored skeletons either).
 */
function planSublabels(existing: LabelRecord[], entries: SublabelWrite[], base: string, problems: LabelProblem[]): UpdatePlan['sublabels'] {
  const out: UpdatePlan['sublabels'] = [];
  const touched = new Set<number>();
  const names: Array<{ name: string; path: string | null }> = [];
  entries.forEach((s, k) => {
    const p = `${base}[${k}]`;
    const target = s.id !== undefined ? existing.find((e) => e.id === s.id) : existing.find((e) => e.name === s.name);
    if (!target) {
      problems.push(
        s.id !== undefined
          ? { path: fieldPath(p, 'id'), message: `no point ${s.id} in this skeleton` }
          : { path: fieldPath(p, 'name'), message: `no point "${s.name}" in this skeleton; points cannot be added to a stored skeleton` },
      );
      return;
    }
    if (touched.has(target.id)) {
      problems.push({ path: p, message: `point ${target.id} appears twice` });
      return;
    }
    touched.add(target.id);
    const merged: LabelDraft = { name: s.name, color: s.color || target.color, type: s.type ?? target.type, attributes: [], sublabels: [] };
    problems.push(...labelOwnProblems(merged, p, true));
    names.push({ name: merged.name, path: p });
    const attributes = planAttributes(target.attributes, s.attributes, fieldPath(p, 'attributes'), problems);
    out.push({ id: target.id, values: changed(target, s), attributes });
  });
  const all = [...existing.filter((e) => !touched.has(e.id)).map((e) => ({ name: e.name, path: null })), ...names];
  for (const k of duplicateIndexes(all.map((n) => n.name))) {
    const n = all[k]!;
    if (n.path !== null) problems.push({ path: fieldPath(n.path, 'name'), message: `duplicate sublabel name "${n.name}"` });
  }
  return out;
}

/**
 * Attribute entries against the stored attributes of one label: by id when given, else by name
 * (CVAT's get_or_create), else added. A missing default_value keeps the stored one while it
 * still fits the spec.
 */
function planAttributes(existing: AttributeRecord[], entries: AttributeWrite[], base: string, problems: LabelProblem[]): AttributePlan {
  const plan: AttributePlan = { create: [], update: [], remove: [] };
  const touched = new Set<number>();
  const names: Array<{ name: string; path: string | null }> = [];
  entries.forEach((a, j) => {
    const p = `${base}[${j}]`;
    const target = a.id !== undefined ? existing.find((e) => e.id === a.id) : existing.find((e) => e.name === a.name);
    if (a.id !== undefined && !target) {
      problems.push({ path: fieldPath(p, 'id'), message: `no attribute ${a.id} in this label` });
      return;
    }
    if (target && touched.has(target.id)) {
      problems.push({ path: p, message: `attribute ${target.id} appears twice` });
      return;
    }
    if (a.deleted) {
      if (!target) problems.push({ path: fieldPath(p, 'name'), message: `no attribute "${a.name}" to delete` });
      else {
        touched.add(target.id);
        plan.remove.push(target.id);
      }
      return;
    }
    let defaultValue = a.default_value;
    if (defaultValue === undefined && target && isAttributeInputType(a.input_type)) {
      const keep = { ...attributeDraft(a, target.default_value), input_type: a.input_type };
      if (attributeProblems(keep).length === 0) defaultValue = target.default_value;
    }
    const draft = attributeDraft(a, defaultValue ?? '');
    problems.push(...attributeDraftProblems(draft, p));
    names.push({ name: a.name, path: p });
    if (target) {
      touched.add(target.id);
      plan.update.push({ id: target.id, attr: toNewAttribute(draft) });
    } else {
      plan.create.push(toNewAttribute(draft));
    }
  });
  const all = [...existing.filter((e) => !touched.has(e.id)).map((e) => ({ name: e.name, path: null })), ...names];
  for (const k of duplicateIndexes(all.map((n) => n.name))) {
    const n = all[k]!;
    if (n.path !== null) problems.push({ path: fieldPath(n.path, 'name'), message: `duplicate attribute name "${n.name}"` });
  }
  return plan;
}
