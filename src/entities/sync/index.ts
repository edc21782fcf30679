export * from './sync-entities';
