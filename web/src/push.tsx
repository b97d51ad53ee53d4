// Push opt-in: registers the service worker (public/sw.js), subscribes with the server's VAPID
// public key and stores the subscription with `POST /api/push/subscriptions`.
import { useEffect, useState } from "preact/hooks";
import { api, describe, unwrap } from "./api";

const SUB_KEY = "claudomator.push-subscription";

function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** The whole opt-in; returns the stored subscription's id. */
export async function enableNotifications(): Promise<string> {
  const { public_key } = unwrap(await api.GET("/api/push/vapid-public-key"));
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site.");
  const reg = await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  const applicationServerKey = keyBytes(public_key);
  let sub = await reg.pushManager.getSubscription();
  // A subscription made with another key (the server's key was replaced) cannot be used.
  const old = sub?.options.applicationServerKey;
  if (sub && old && !sameBytes(new Uint8Array(old), applicationServerKey)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  const json = sub.toJSON();
  const saved = unwrap(
    await api.POST("/api/push/subscriptions", {
      body: { endpoint: json.endpoint!, keys: { p256dh: json.keys!.p256dh, auth: json.keys!.auth } },
    }),
  );
  localStorage.setItem(SUB_KEY, saved.id);
  return saved.id;
}

export async function disableNotifications(): Promise<void> {
  const id = localStorage.getItem(SUB_KEY);
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  await sub?.unsubscribe();
  if (id) await api.DELETE("/api/push/subscriptions/{id}", { params: { path: { id } } });
  localStorage.removeItem(SUB_KEY);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function PushControl() {
  const [on, setOn] = useState(() => localStorage.getItem(SUB_KEY) !== null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => setMessage(null), [on]);
  if (!pushSupported()) return null;

  async function toggle() {
    setBusy(true);
    setMessage(null);
    try {
      if (on) {
        await disableNotifications();
        setOn(false);
      } else {
        await enableNotifications();
        setOn(true);
      }
    } catch (err) {
      setMessage(`Notifications: ${describe(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <span class="push">
      <button type="button" class="secondary" aria-pressed={on} disabled={busy} onClick={toggle}>
        {on ? "Notifications on" : "Enable notifications"}
      </button>
      {message && (
        <span role="alert" class="error small">
          {message}
        </span>
      )}
    </span>
  );
}
