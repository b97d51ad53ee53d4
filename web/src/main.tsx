// The app shell: token gate, navigation and a hash router (`#/`, `#/new`, `#/agents`,
// `#/tasks/<id>`, `#/stories`, `#/stories/<id>`, `#/projects`), so every API node can serve
// index.html at `/` and nothing else.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getToken, setToken } from "./api";
import { Agents } from "./pages/Agents";
import { Board } from "./pages/Board";
import { Create } from "./pages/Create";
import { Login } from "./pages/Login";
import { Projects } from "./pages/Projects";
import { Stories, StoryPage } from "./pages/Stories";
import { TaskPage } from "./pages/TaskPage";
import { PushControl } from "./push";
import "./styles.css";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

function useToken(): string | null {
  const [token, set] = useState(getToken());
  useEffect(() => {
    const on = () => set(getToken());
    addEventListener("claudomator:auth", on);
    addEventListener("storage", on);
    return () => {
      removeEventListener("claudomator:auth", on);
      removeEventListener("storage", on);
    };
  }, []);
  return token;
}

function Page({ route }: { route: string }) {
  const task = route.match(/^\/tasks\/([0-9a-f-]{36})$/i);
  if (task) return <TaskPage id={task[1]} />;
  const story = route.match(/^\/stories\/([0-9a-f-]{36})$/i);
  if (story) return <StoryPage id={story[1]} />;
  if (route === "/stories") return <Stories />;
  if (route === "/projects") return <Projects />;
  if (route === "/new") return <Create />;
  if (route === "/agents") return <Agents />;
  if (route === "/") return <Board />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing at <code>{route}</code>. <a href="#/">Back to the board</a>.
      </p>
    </section>
  );
}

function App() {
  const token = useToken();
  const route = useHash();
  useEffect(() => {
    const main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  }, [route]);
  if (!token) return <Login />;
  const current = (href: string) => (route === href ? "page" : undefined);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          claudomator
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={current("/")}>
            Board
          </a>
          <a href="#/new" aria-current={current("/new")}>
            New task
          </a>
          <a href="#/stories" aria-current={current("/stories")}>
            Stories
          </a>
          <a href="#/projects" aria-current={current("/projects")}>
            Projects
          </a>
          <a href="#/agents" aria-current={current("/agents")}>
            Agents
          </a>
        </nav>
        <div class="top-actions">
          <PushControl />
          <button type="button" class="secondary" onClick={() => setToken(null)}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
