export * from './errors';
export { createLocalStack, STACK_SERVICES, type LocalStack, type LocalStackOptions, type StackStatus, type StackUpResult } from './local-stack';
export { renderConnectorConfig, schemaHistoryTopic, CONNECTOR_TEMPLATE, type ConnectorTemplateValues } from './connector-template';
export { createStackLayout, type StackLayout, type StackService } from './stack-layout';
export { STACK_VERSIONS } from './stack-versions';
export { isOurs } from './managed-process';
export { registerConnectorFromConfig } from './register-from-config';
