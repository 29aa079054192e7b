/**
 * recorder-rigs' configuration: where the fleet's topic tree starts, where acknowledgements come
 * back, and how long a rig has to answer. Commands and the rig table come in messages.
 */
import { field } from '../../src/kit/fields';

export const FIELDS = {
  name: field.name(),
  /** The topic tree's first level: `<prefix>/rigs/<rig>/status`, `…/systems/<system>/state`, `…/command`. */
  prefix: field.text({ label: 'topic prefix', default: 'recorders', maxLength: 100, required: true }),
  /** Where rigs answer (MQTT v5 response topic); an `mqtt in` on it feeds this node. */
  ackTopic: field.text({
    label: 'acknowledgement topic',
    default: 'recorders/coordinator/main/acks',
    maxLength: 200,
    required: true,
  }),
  /** Seconds a rig has to acknowledge a command. */
  timeout: field.number({ label: 'acknowledge within', default: 10, min: 0.1, max: 3600 }),
};
