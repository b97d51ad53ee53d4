// Service worker: shows the Web Push messages the notifier sends (shared::domain::notify:
// {title, body, task_id, state, url}) and opens the task when one is clicked. It caches
// nothing, so the UI is always the one the API node serves.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let msg = {};
  try {
    msg = event.data ? event.data.json() : {};
  } catch {
    msg = { title: "claudomator", body: event.data ? event.data.text() : "" };
  }
  const title = msg.title || "claudomator";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: msg.body || "",
      icon: "/icons/icon-192.png",
      tag: msg.task_id || undefined,
      data: { task_id: msg.task_id },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const id = event.notification.data && event.notification.data.task_id;
  const target = new URL(id ? `/#/tasks/${id}` : "/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).origin === self.location.origin && "focus" in w) {
          return w.navigate(target).then((c) => (c || w).focus());
        }
      }
      return self.clients.openWindow(target);
    }),
  );
});
