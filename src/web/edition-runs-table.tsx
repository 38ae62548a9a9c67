import type { EditionRunStatus } from '../store/outbox.ts';

/**
 * Edition runs as a table: outcome counts per edition key and whether the run is complete. One
 * markup for the operator dashboard and the dev outbox viewer, which show the same status;
 * `plain` states the run in words, for pages without the dashboard's badge styles.
 */
export function EditionRunsTable(props: { runs: EditionRunStatus[]; labelledBy: string; plain?: boolean }) {
  if (props.runs.length === 0) return <p class="empty">No edition has been planned yet.</p>;
  return (
    <div class="scroll">
      <table aria-labelledby={props.labelledBy}>
        <thead>
          <tr>
            <th scope="col">Edition</th>
            <th scope="col">Sent</th>
            <th scope="col">Failed</th>
            <th scope="col">Suppressed</th>
            <th scope="col">Pending or sending</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((r) => (
            <tr>
              <td>{r.editionKey}</td>
              <td>{r.sent}</td>
              <td>{r.failed}</td>
              <td>{r.suppressed}</td>
              <td>{r.pending + r.sending}</td>
              <td>
                {props.plain ? (
                  state(r)
                ) : (
                  <span class={`badge ${r.complete ? 'state-ok' : 'state-paused'}`}>{state(r)}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const state = (r: EditionRunStatus) => (r.complete ? 'complete' : 'in progress');
