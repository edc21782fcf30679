/**
 * Preloaded (`node -r`) into a CLI child to make it crash the way a forgotten promise would: a
 * real axios request carrying `Authorization: Bearer $CRASH_PROBE_SECRET` and the secret in its
 * body fails, and its AxiosError (whose `config` holds both) is rejected with nobody listening.
 */
import axios from 'axios';

const secret = process.env.CRASH_PROBE_SECRET ?? 'crash-probe-secret';
setTimeout(() => {
  void axios.post('http://127.0.0.1:1/oauth/token', { client_secret: secret }, { headers: { Authorization: `Bearer ${secret}` } });
}, 200);
