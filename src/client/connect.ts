import { Client, Connection } from '@temporalio/client';
import { connectTemporal } from '../adapters/reachability';
import { loadTemporalConfig, type TemporalConfig } from '../config/temporal-config';
import { SessionMeetings } from './session-meetings';

export interface ConnectedSessionMeetings {
  api: SessionMeetings;
  client: Client;
  close(): Promise<void>;
}

/** Connects to Temporal as the environment says (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ..., or a temporal.toml profile). */
export async function connectSessionMeetings(config: TemporalConfig = loadTemporalConfig()): Promise<ConnectedSessionMeetings> {
  const connection = await connectTemporal(config.connection.address, () => Connection.connect(config.connection));
  const client = new Client({ connection, namespace: config.namespace });
  return { api: new SessionMeetings(client, config.taskQueue), client, close: () => connection.close() };
}
