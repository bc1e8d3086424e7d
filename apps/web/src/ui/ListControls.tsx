/**
 * Search, sort and paging for the API's lists (CVAT's `search`, `sort`, `page`, `page_size`),
 * kept in the page's URL so a filtered list can be bookmarked, shared and restored by Back.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Page } from '../api/types';

/** The orders every list of projects or tasks offers. */
export const STANDARD_SORTS = [
  { value: '-id', label: 'Newest' },
  { value: 'id', label: 'Oldest' },
  { value: 'name', label: 'Name' },
  { value: '-updated_date', label: 'Recently updated' },
  { value: 'status', label: 'Status' },
];

/** One page of an API list for the list state, the previous page kept on screen while the next loads. */
export function usePagedList<T>(path: string, state: ListState, extra: Record<string, string | undefined> = {}) {
  return useQuery({
    queryKey: [path.split('/').pop(), state, extra],
    queryFn: () => api.get<Page<T>>(path, { search: state.search, sort: state.sort, page: state.page, page_size: state.pageSize, ...extra }),
    placeholderData: keepPreviousData,
  });
}

export interface ListState {
  search: string;
  sort: string;
  page: number;
  pageSize: number;
}

export function useListState(defaultSort = '-id', pageSize = 20): [ListState, (patch: Partial<ListState>) => void] {
  const [params, setParams] = useSearchParams();
  const state: ListState = {
    search: params.get('search') ?? '',
    sort: params.get('sort') ?? defaultSort,
    page: Math.max(1, Number(params.get('page') ?? '1') || 1),
    pageSize,
  };
  const update = (patch: Partial<ListState>) => {
    const next = { ...state, ...patch };
    // A new search or order starts again from the first page.
    if (patch.search !== undefined || patch.sort !== undefined) next.page = 1;
    const out = new URLSearchParams(params);
    for (const [k, v, def] of [
      ['search', next.search, ''],
      ['sort', next.sort, defaultSort],
      ['page', String(next.page), '1'],
    ] as const) {
      if (v === def) out.delete(k);
      else out.set(k, v);
    }
    setParams(out, { replace: patch.search !== undefined });
  };
  return [state, update];
}

export function ListToolbar({
  state,
  update,
  sorts,
  placeholder,
  children,
}: {
  state: ListState;
  update: (patch: Partial<ListState>) => void;
  sorts: { value: string; label: string }[];
  placeholder: string;
  /** More filters, after search and sort. */
  children?: ReactNode;
}) {
  return (
    <div className="list-toolbar">
      <input
        key={state.search}
        type="search"
        aria-label="Search"
        placeholder={placeholder}
        defaultValue={state.search}
        onKeyDown={(e) => {
          if (e.key === 'Enter') update({ search: e.currentTarget.value.trim() });
        }}
        onBlur={(e) => {
          if (e.currentTarget.value.trim() !== state.search) update({ search: e.currentTarget.value.trim() });
        }}
      />
      <label>
        Sort
        <select value={state.sort} onChange={(e) => update({ sort: e.target.value })}>
          {sorts.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {children}
    </div>
  );
}

export function Pagination({ state, update, count }: { state: ListState; update: (patch: Partial<ListState>) => void; count: number }) {
  const pages = Math.max(1, Math.ceil(count / state.pageSize));
  if (count <= state.pageSize) return <div className="pagination muted">{count} item{count === 1 ? '' : 's'}</div>;
  return (
    <nav className="pagination" aria-label="Pages">
      <button type="button" disabled={state.page <= 1} onClick={() => update({ page: state.page - 1 })}>
        Previous
      </button>
      <span>
        Page {state.page} of {pages} · {count} items
      </span>
      <button type="button" disabled={state.page >= pages} onClick={() => update({ page: state.page + 1 })}>
        Next
      </button>
    </nav>
  );
}
