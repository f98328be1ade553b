// HallKiosk staff web caller (served by the hub at /staff/).
//
// Log in (POST /api/v1/sessions; the session lives in sessionStorage, so a
// reload keeps it and closing the tab ends it), choose the counter (from
// GET /api/v1/branch), then call: every action is one LAN API request; the
// page's state comes only from snapshots. The event stream
// (/api/v1/events?access_token=SESSION) starts every (re)connect with a full
// snapshot, applied as is, so the page resynchronises after any outage;
// each later journal event makes the page read /api/v1/snapshot again (one
// read in flight at a time). Errors show in the aria-live alert with the
// hub's own message. No framework, no build step, nothing from elsewhere.
"use strict";

(() => {
  const API = "/api/v1";
  const KEY_SESSION = "hk.staff.session";
  const KEY_COUNTER = "hk.staff.counter";
  const KEY_LANG = "hk.staff.lang";
  // journal event types (app/core/journal.h); each one moves the snapshot
  const EVENT_TYPES = [
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
    "ticket.no_show", "ticket.transferred", "ticket.cancelled", "counter.opened",
    "counter.paused", "counter.closed", "visit.rated", "visit.not_rated", "device.fault",
  ];

  // Every text in both languages, side by side: [zh-CN, en].
  const STR = {
    doc_title: ["员工叫号 · HallKiosk", "Staff caller · HallKiosk"],
    skip: ["跳到主要内容", "Skip to main content"],
    app_title: ["员工叫号", "Staff caller"],
    switch_to: ["English", "中文"],
    change_counter: ["换窗口", "Change counter"],
    logout: ["退出登录", "Log out"],
    login_title: ["员工登录", "Staff login"],
    login_lead: [
      "用员工工号和 PIN 登录，然后选择您的窗口。",
      "Log in with your staff ID and PIN, then choose your counter.",
    ],
    staff_id: ["员工工号", "Staff ID"],
    pin_hint: [
      "PIN 只在登录时发送给本厅的叫号主机。",
      "Your PIN is sent only at login, only to this branch's hub.",
    ],
    login: ["登录", "Log in"],
    logging_in: ["正在登录…", "Logging in…"],
    choose_title: ["选择窗口", "Choose your counter"],
    choose_legend: ["您今天在哪个窗口工作？", "Which counter are you working at today?"],
    use_counter: ["使用这个窗口", "Use this counter"],
    current_ticket: ["当前号码", "Current ticket"],
    no_ticket: ["暂无号码", "No ticket"],
    waited: ["已等候", "Waited"],
    at_counter: ["在窗口", "Called"],
    serving_for: ["已办理", "Serving for"],
    recalls: ["重呼次数", "Recalls"],
    call_next: ["叫下一位", "Call next"],
    recall: ["重呼", "Recall"],
    start: ["开始办理", "Start"],
    finish: ["办结", "Finish"],
    no_show: ["过号", "No-show"],
    put_back: ["放回队列（保留原位置）", "Put back in line (keeps the place)"],
    transfer_to: ["转到业务", "Transfer to"],
    transfer: ["转移", "Transfer"],
    key_transfer: ["选择转到的业务", "Choose the service to transfer to"],
    key_lang: ["切换语言", "Switch language"],
    counter: ["窗口", "Counter"],
    counter_state: ["窗口状态", "Counter"],
    open: ["开放", "Open"],
    resume: ["恢复", "Resume"],
    pause: ["暂停", "Pause"],
    close: ["关闭", "Close"],
    waiting: ["等候人数", "Waiting"],
    service: ["业务", "Service"],
    waiting_n: ["等候", "Waiting"],
    est_wait: ["预计等候", "Est. wait"],
    all_counters: ["全部窗口", "All counters"],
    state: ["状态", "State"],
    number: ["号码", "Number"],
    keys_title: ["键盘操作", "Keyboard"],
    keys_lead: [
      "不在输入框中时，按一个键即可操作。Tab 键依次经过每个按钮，Enter 或空格键按下。",
      "Outside a text field, one key does it. Tab moves through every button; Enter or Space presses it.",
    ],
    st_open: ["开放", "Open"],
    st_paused: ["暂停", "Paused"],
    st_closed: ["关闭", "Closed"],
    tk_called: ["已叫号", "Called"],
    tk_serving: ["办理中", "Serving"],
    tk_waiting: ["等候中", "Waiting"],
    tk_done: ["已办结", "Finished"],
    tk_no_show: ["过号", "No-show"],
    tk_transferred: ["已转移", "Transferred"],
    tk_cancelled: ["已取消", "Cancelled"],
    conn_live: ["实时", "Live"],
    conn_retry: ["正在重新连接…", "Reconnecting…"],
    conn_down: ["连接中断", "Disconnected"],
    stale: [
      "与叫号主机的连接中断，下面的信息可能不是最新的。正在重新连接…",
      "The connection to the hub is lost: what you see may be out of date. Reconnecting…",
    ],
    by: ["{name}（{id}）", "{name} ({id})"],
    staff_line: ["{name} · 工号 {id}", "{name} · ID {id}"],
    work_title: ["{counter} · 叫号", "{counter} · calling"],
    min: ["{n} 分钟", "{n} min"],
    lt_min: ["不到 1 分钟", "under 1 min"],
    h_min: ["{h} 小时 {m} 分", "{h} h {m} min"],
    none: ["—", "—"],
    this_counter: ["本窗口", "this counter"],
    idle_waiting: ["{n} 位客户在等候本窗口的业务", "{n} waiting for this counter's services"],
    idle_none: ["没有客户在等候本窗口的业务", "Nobody is waiting for this counter's services"],
    idle_closed: ["窗口未开放：按 O 开放", "The counter is not open: press O to open it"],
    served_here: ["本窗口办理", "Served here"],
    not_served: ["其他业务", "Other services"],
    done_call: ["已叫 {number} 到 {counter}", "Called {number} to {counter}"],
    done_recall: ["已重呼 {number}", "Recalled {number}"],
    done_start: ["开始办理 {number}", "Serving {number}"],
    done_finish: ["{number} 已办结", "{number} finished"],
    done_no_show: ["{number} 已过号", "{number} marked no-show"],
    done_no_show_back: ["{number} 已过号，放回队列", "{number} no-show, put back in line"],
    done_transfer: ["{number} 已转到 {service}", "{number} transferred to {service}"],
    done_open: ["窗口已开放", "Counter open"],
    done_pause: ["窗口已暂停", "Counter paused"],
    done_close: ["窗口已关闭", "Counter closed"],
    need_ticket: ["当前没有号码。", "There is no current ticket."],
    need_called: [
      "只有已叫号、还没开始办理的号码可以这样操作。",
      "Only a called ticket not yet being served can do this.",
    ],
    need_open: ["请先开放窗口。", "Open the counter first."],
    need_free: ["请先办结或过号当前号码。", "Finish or no-show the current ticket first."],
    need_service: ["请选择要转到的业务。", "Choose the service to transfer to."],
    need_fields: ["请填写员工工号和 PIN。", "Enter your staff ID and PIN."],
    need_counter: ["请选择一个窗口。", "Choose a counter."],
    session_over: ["登录已失效，请重新登录。", "Your session has ended. Please log in again."],
    logged_out: ["已退出登录。", "Logged out."],
    net_down: ["连不上叫号主机，请检查网络后重试。", "Cannot reach the hub. Check the network and try again."],
    hub_said: ["叫号主机：{msg}", "The hub says: {msg}"],
    e_bad_credentials: ["工号或 PIN 不正确。", "Wrong staff ID or PIN."],
    e_too_many_attempts: ["尝试次数过多，请 {s} 秒后再试。", "Too many attempts. Try again in {s} s."],
    e_nobody_waiting: ["没有等候本窗口业务的客户。", "Nobody is waiting for this counter's services."],
    e_counter_not_open: ["窗口未开放。", "The counter is not open."],
    e_illegal_transition: ["当前状态下不能这样操作。", "Not possible in the ticket's current state."],
    e_staff_session_required: ["需要员工登录。", "A staff login is needed."],
    e_unauthorized: ["登录已失效，请重新登录。", "Your session has ended. Please log in again."],
    e_busy: ["叫号主机忙，请稍后再试。", "The hub is busy. Try again in a moment."],
    e_service_closed: ["该业务现在不办理。", "That service is closed now."],
    e_unknown_ticket: ["找不到这个号码。", "No such ticket."],
    e_unknown_counter: ["找不到这个窗口。", "No such counter."],
    e_unknown_service: ["找不到这项业务。", "No such service."],
    e_other: ["操作未完成。", "The action was not done."],
  };
  const LANGS = ["zh-CN", "en"];

  const $ = (id) => document.getElementById(id);
  const S = {
    lang: "zh-CN",
    branch: null, // GET /branch
    session: null, // {session, staff, expires_ms}
    counterId: null,
    view: null, // "login" | "counter" | "work"
    snap: null, // the newest snapshot
    clockSkew: 0, // hub clock - this clock, ms
    es: null,
    esRetry: null,
    refreshing: false,
    refreshAgain: false,
    busy: false,
    lastAction: null, // {key, vars}
    errorInfo: null, // {key, vars, msg} shown in the alert
    conn: "off",
  };

  // ---- text ------------------------------------------------------------------
  function t(key, vars) {
    let s = STR[key]?.[LANGS.indexOf(S.lang)] ?? key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] ?? m));
    return s;
  }
  const nm = (o) => (o ? (S.lang === "zh-CN" ? o.name_zh : o.name_en) || o.id : "");
  const service = (id) => S.branch?.services.find((s) => s.id === id);
  const counterCfg = (id) => S.branch?.counters.find((c) => c.id === id);
  const counterSnap = (id) => S.snap?.counters.find((c) => c.id === id);

  function setLang(lang) {
    S.lang = LANGS.includes(lang) ? lang : "zh-CN";
    try { localStorage.setItem(KEY_LANG, S.lang); } catch { /* private mode */ }
    document.documentElement.lang = S.lang;
    document.title = t("doc_title");
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    const b = $("btn-lang");
    b.textContent = t("switch_to");
    b.lang = S.lang === "zh-CN" ? "en" : "zh-CN";
    if (S.errorInfo) showError(S.errorInfo);
    render();
  }

  function fmtDur(ms) {
    if (ms == null || !isFinite(ms)) return t("none");
    const s = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(s / 60);
    if (m < 1) return t("lt_min");
    if (m < 60) return t("min", { n: m });
    return t("h_min", { h: Math.floor(m / 60), m: m % 60 });
  }
  function fmtClock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const mm = String(Math.floor(s / 60)).padStart(2, "0");
    return `${mm}:${String(s % 60).padStart(2, "0")}`;
  }
  const hubNow = () => Date.now() + S.clockSkew;

  // ---- messages --------------------------------------------------------------
  function showError(info) {
    S.errorInfo = info;
    const box = $("alert");
    box.textContent = "";
    if (!info) return;
    const head = document.createElement("strong");
    head.textContent = t(info.key, info.vars);
    box.append(head);
    if (info.msg) {
      const d = document.createElement("span");
      d.className = "detail";
      d.textContent = t("hub_said", { msg: info.msg });
      box.append(d);
    }
  }
  const clearError = () => showError(null);

  function errorFromApi(e) {
    if (e.network) return { key: "net_down" };
    const key = STR["e_" + e.code] ? "e_" + e.code : "e_other";
    return { key, vars: { s: e.retryAfter ?? "?" }, msg: e.message || e.code || String(e.status) };
  }

  // ---- the API ---------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }

  async function api(method, path, body) {
    const headers = {};
    if (S.session) headers.Authorization = "Bearer " + S.session.session;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      const e = new ApiError(0, "network", String(err));
      e.network = true;
      throw e;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!res.ok) {
      throw new ApiError(res.status, json?.code || "http_" + res.status,
        json?.message || text.slice(0, 200), res.headers.get("Retry-After"));
    }
    return json;
  }

  // A 401 on anything but the login itself: the hub forgot the session
  // (restart, expiry). Back to the login with a word why.
  function sessionLost() {
    dropSession();
    showError({ key: "session_over" });
    show("login");
  }

  function dropSession() {
    S.session = null;
    S.snap = null;
    S.lastAction = null;
    try { sessionStorage.removeItem(KEY_SESSION); } catch { /* ignore */ }
    stopEvents();
  }

  // ---- the event stream -------------------------------------------------------
  function startEvents() {
    stopEvents();
    if (!S.session) return;
    const es = new EventSource(API + "/events?access_token=" + encodeURIComponent(S.session.session));
    S.es = es;
    setConn(S.snap ? "retry" : "off");
    es.addEventListener("snapshot", (ev) => {
      let snap;
      try { snap = JSON.parse(ev.data); } catch { return; }
      setConn("live");
      applySnapshot(snap, true);
    });
    for (const type of EVENT_TYPES) es.addEventListener(type, refresh);
    es.onmessage = refresh; // any unnamed event too
    es.onerror = () => {
      if (S.es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        // the hub answered with an error (401 after a restart, 503): the
        // browser gives up; find out why, then try again ourselves
        setConn("down");
        es.close();
        S.es = null;
        checkSessionThenReconnect();
      } else {
        setConn("retry"); // the browser reconnects by itself (retry: 2000)
      }
    };
  }

  function stopEvents() {
    if (S.es) S.es.close();
    S.es = null;
    clearTimeout(S.esRetry);
    S.esRetry = null;
    setConn("off");
  }

  async function checkSessionThenReconnect() {
    try {
      await api("GET", "/sessions/current");
    } catch (e) {
      if (e.status === 401) return sessionLost();
    }
    clearTimeout(S.esRetry);
    S.esRetry = setTimeout(() => { if (S.session) startEvents(); }, 3000);
  }

  function setConn(state) {
    S.conn = state;
    const p = $("conn");
    p.hidden = state === "off";
    p.dataset.state = state;
    $("conn-text").textContent = state === "off" ? "" : t("conn_" + state);
    const stale = state === "retry" || state === "down";
    $("stale-note").hidden = !stale;
    $("view-work").dataset.stale = String(stale);
  }

  // Read the snapshot again after a journal event; one read at a time, and
  // one more after it when events came in meanwhile.
  async function refresh() {
    if (!S.session) return;
    if (S.refreshing) {
      S.refreshAgain = true;
      return;
    }
    S.refreshing = true;
    try {
      do {
        S.refreshAgain = false;
        const snap = await api("GET", "/snapshot");
        applySnapshot(snap, false);
      } while (S.refreshAgain && S.session);
    } catch (e) {
      if (e.status === 401) sessionLost();
      // otherwise the stream's next (re)connect brings a snapshot
    } finally {
      S.refreshing = false;
    }
  }

  function applySnapshot(snap, fromStream) {
    if (!snap || !Array.isArray(snap.counters)) return;
    // a read may finish after a newer stream snapshot: never step back
    // (the stream's own snapshot always wins: it is the resync)
    if (!fromStream && S.snap && snap.journal_seq < S.snap.journal_seq) return;
    const prev = currentTicket();
    S.snap = snap;
    if (typeof snap.taken_ms === "number") S.clockSkew = snap.taken_ms - Date.now();
    render();
    const cur = currentTicket();
    if (cur && (!prev || prev.id !== cur.id || prev.recalls !== cur.recalls)) flashNumber();
  }

  // ---- views -------------------------------------------------------------------
  function show(view, focus = true) {
    S.view = view;
    document.body.dataset.view = view;
    for (const v of ["login", "counter", "work"]) $("view-" + v).hidden = v !== view;
    if (view === "counter") buildCounterChoice();
    $("help").hidden = view !== "work";
    render();
    if (!focus) return;
    if (view === "login") {
      const id = $("staff-id");
      (id.value ? $("pin") : id).focus();
    } else if (view === "counter") {
      const sel = document.querySelector('#counter-list input:checked') ||
        document.querySelector("#counter-list input");
      (sel || $("counter-h")).focus();
    } else if (view === "work") {
      $("btn-call-next").focus();
    }
  }

  function render() {
    const b = S.branch;
    $("branch-name").textContent = b ? nm(b) : "";
    const loggedIn = !!S.session;
    $("btn-logout").hidden = !loggedIn;
    $("btn-counter").hidden = !(loggedIn && S.view === "work");
    $("bar-info").hidden = !(loggedIn && S.view !== "login");
    if (loggedIn) {
      const c = counterCfg(S.counterId);
      $("bar-counter").textContent = S.view === "work" && c ? nm(c) : "";
      $("bar-staff").textContent = t("staff_line", { name: nm(S.session.staff), id: S.session.staff.id });
    }
    if (S.conn !== "off") $("conn-text").textContent = t("conn_" + S.conn);
    if (S.view === "counter") renderCounterChoice();
    if (S.view === "work") renderWork();
  }

  // The choice is built once per visit of the view (so focus and the
  // checked radio survive); snapshots only update each counter's pill.
  function buildCounterChoice() {
    const list = $("counter-list");
    // the counter already open for this login, else the last one chosen
    const mine = S.snap?.counters.find((c) => c.staff && c.staff === S.session?.staff?.id);
    const chosen = S.counterId || mine?.id || S.branch?.counters[0]?.id;
    list.textContent = "";
    for (const c of S.branch?.counters || []) {
      const lab = document.createElement("label");
      lab.className = "counter-opt";
      const r = document.createElement("input");
      r.type = "radio";
      r.name = "counter";
      r.value = c.id;
      r.checked = c.id === chosen;
      const name = document.createElement("span");
      name.className = "name";
      name.dataset.counter = c.id;
      const pill = document.createElement("span");
      pill.className = "pill";
      pill.dataset.counterPill = c.id;
      const svc = document.createElement("span");
      svc.className = "svc";
      svc.dataset.counterSvc = c.id;
      lab.append(r, name, pill, svc);
      list.append(lab);
    }
  }

  function renderCounterChoice() {
    for (const c of S.branch?.counters || []) {
      const name = document.querySelector(`[data-counter="${c.id}"]`);
      if (!name) continue;
      name.textContent = nm(c);
      document.querySelector(`[data-counter-svc="${c.id}"]`).textContent =
        c.services.map((id) => nm(service(id))).join(" · ");
      const pill = document.querySelector(`[data-counter-pill="${c.id}"]`);
      const cs = counterSnap(c.id);
      pill.dataset.state = cs ? cs.state : "";
      pill.textContent = cs ? t("st_" + cs.state) + (cs.staff ? " · " + staffName(cs) : "") : "";
    }
  }

  function staffName(cs) {
    const n = S.lang === "zh-CN" ? cs.staff_name_zh : cs.staff_name_en;
    return n ? t("by", { name: n, id: cs.staff }) : cs.staff;
  }

  function currentTicket() {
    const cs = counterSnap(S.counterId);
    const tk = cs?.ticket;
    return tk && (tk.state === "called" || tk.state === "serving") ? tk : null;
  }

  // what each action needs, as the reason it cannot run now (null: it can)
  function blocked(action) {
    const cs = counterSnap(S.counterId);
    const st = cs?.state || "closed";
    const tk = currentTicket();
    switch (action) {
      case "call-next": return st !== "open" ? "need_open" : tk ? "need_free" : null;
      case "recall": case "no-show": case "start":
        return !tk ? "need_ticket" : tk.state !== "called" ? "need_called" : null;
      case "finish": case "transfer": return tk ? null : "need_ticket";
      // open again claims an open counter for this login (the hub stamps
      // the staff id on what it calls)
      case "open": {
        const mine = cs?.staff === undefined || cs.staff === S.session?.staff?.id;
        return st === "open" && mine ? "x" : null;
      }
      case "pause": return st === "open" ? null : "x";
      case "close": return st === "closed" ? "x" : null;
      default: return null;
    }
  }

  const ACTION_BUTTONS = {
    "call-next": "btn-call-next", recall: "btn-recall", start: "btn-start", finish: "btn-finish",
    "no-show": "btn-no-show", transfer: "btn-transfer", open: "btn-open", pause: "btn-pause",
    close: "btn-close",
  };

  function renderWork() {
    const c = counterCfg(S.counterId);
    const cs = counterSnap(S.counterId);
    const tk = currentTicket();
    $("work-h").textContent = t("work_title", { counter: nm(c) });

    // current ticket
    const num = $("cur-number");
    num.textContent = tk ? tk.number : t("no_ticket");
    num.classList.toggle("none", !tk);
    if (!tk) num.classList.remove("flash");
    $("cur-service").textContent = tk ? nm(service(tk.service)) : idleLine(cs);
    const pill = $("cur-state");
    pill.textContent = tk ? t("tk_" + tk.state) : "";
    pill.dataset.state = tk ? tk.state : "";
    $("cur-recalls").textContent = tk ? String(tk.recalls) : t("none");
    $("cur-since-label").textContent = t(tk?.state === "serving" ? "serving_for" : "at_counter");
    renderTimes();

    // transfer: the other services
    const sel = $("transfer-to");
    const keep = sel.value;
    sel.textContent = "";
    for (const s of S.branch?.services || []) {
      if (tk && s.id === tk.service) continue;
      const o = document.createElement("option");
      o.value = s.id;
      o.textContent = `${s.prefix} · ${nm(s)}`;
      sel.append(o);
    }
    if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;

    // counter state
    const st = cs?.state || "closed";
    const cp = $("counter-pill");
    cp.dataset.state = st;
    cp.textContent = t("st_" + st);
    $("cs-who").textContent = cs?.staff ? staffName(cs) : "";
    $("btn-open").querySelector("span").textContent = t(st === "paused" ? "resume" : "open");
    $("btn-open").setAttribute("aria-pressed", String(st === "open"));
    $("btn-pause").setAttribute("aria-pressed", String(st === "paused"));
    $("btn-close").setAttribute("aria-pressed", String(st === "closed"));

    for (const [action, id] of Object.entries(ACTION_BUTTONS)) {
      const btn = $(id);
      const why = blocked(action);
      if (why) btn.setAttribute("aria-disabled", "true");
      else btn.removeAttribute("aria-disabled");
      if (S.busy) btn.setAttribute("aria-busy", "true");
      else btn.removeAttribute("aria-busy");
    }

    $("last-action").textContent = S.lastAction ? t(S.lastAction.key, S.lastAction.vars) : "";
    renderWaiting();
    renderOthers();
  }

  // With no current ticket: what the clerk can do next.
  function idleLine(cs) {
    if (!cs) return "";
    if (cs.state !== "open") return t("idle_closed");
    const mine = counterCfg(S.counterId)?.services || [];
    const n = (S.snap?.services || [])
      .filter((x) => mine.includes(x.id))
      .reduce((sum, x) => sum + x.waiting, 0);
    return n ? t("idle_waiting", { n }) : t("idle_none");
  }

  function renderTimes() {
    const tk = currentTicket();
    if (!tk) {
      $("cur-waited").textContent = t("none");
      $("cur-since").textContent = t("none");
      return;
    }
    const calledAt = tk.called_ms ?? hubNow();
    $("cur-waited").textContent = fmtDur(calledAt - tk.issued_ms);
    const since = tk.state === "serving" && tk.serving_ms ? tk.serving_ms : tk.called_ms;
    $("cur-since").textContent = since ? fmtClock(hubNow() - since) : t("none");
  }

  function renderWaiting() {
    const body = $("wait-body");
    body.textContent = "";
    const mine = new Set(counterCfg(S.counterId)?.services || []);
    const rows = [...(S.snap?.services || [])];
    // this counter's services first, in its calling order
    const order = counterCfg(S.counterId)?.services || [];
    rows.sort((a, b) => {
      const ia = order.indexOf(a.id), ib = order.indexOf(b.id);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    for (const r of rows) {
      const s = service(r.id);
      const tr = document.createElement("tr");
      tr.className = mine.has(r.id) ? "mine" : "other";
      const name = document.createElement("td");
      name.textContent = s ? `${s.prefix} · ${nm(s)}` : r.id;
      if (mine.has(r.id)) {
        const sr = document.createElement("span");
        sr.className = "sr-only";
        sr.textContent = ` (${t("served_here")})`;
        name.append(sr);
      }
      const n = document.createElement("td");
      n.className = "num" + (mine.has(r.id) ? " big" : "");
      n.textContent = String(r.waiting);
      const w = document.createElement("td");
      w.className = "num";
      const est = r.est_wait_s == null || r.waiting === 0 ? null : r.est_wait_s * 1000;
      w.textContent = est == null ? t("none") : "≈ " + fmtDur(est);
      tr.append(name, n, w);
      body.append(tr);
    }
  }

  function renderOthers() {
    const body = $("others-body");
    body.textContent = "";
    for (const c of S.branch?.counters || []) {
      const cs = counterSnap(c.id);
      const tr = document.createElement("tr");
      if (c.id === S.counterId) tr.className = "self";
      const a = document.createElement("td");
      a.textContent = nm(c);
      if (c.id === S.counterId) {
        const sr = document.createElement("span");
        sr.className = "sr-only";
        sr.textContent = ` (${t("this_counter")})`;
        a.append(sr);
      }
      const b = document.createElement("td");
      b.textContent = cs ? t("st_" + cs.state) + (cs.staff ? " · " + staffName(cs) : "") : t("none");
      const n = document.createElement("td");
      n.className = "num";
      n.textContent = cs?.ticket ? cs.ticket.number : t("none");
      tr.append(a, b, n);
      body.append(tr);
    }
  }

  function flashNumber() {
    const n = $("cur-number");
    n.classList.remove("flash");
    void n.offsetWidth; // restart the animation
    n.classList.add("flash");
  }

  // ---- actions ---------------------------------------------------------------
  async function act(action) {
    if (S.view !== "work" || !S.session) return;
    if (S.busy) return; // one press, one request
    const why = blocked(action);
    if (why) {
      if (why !== "x") showError({ key: why });
      return;
    }
    const tk = currentTicket();
    const cid = encodeURIComponent(S.counterId);
    let path;
    let body = {};
    let done;
    switch (action) {
      case "open": case "pause": case "close":
        path = `/counters/${cid}/${action}`;
        done = { key: "done_" + action };
        break;
      case "call-next":
        path = `/counters/${cid}/call-next`;
        break;
      case "no-show":
        body = { put_back: $("put-back").checked };
        path = `/tickets/${tk.id}/no-show`;
        done = { key: body.put_back ? "done_no_show_back" : "done_no_show", vars: { number: tk.number } };
        break;
      case "transfer": {
        const to = $("transfer-to").value;
        if (!to) return showError({ key: "need_service" });
        body = { service: to };
        path = `/tickets/${tk.id}/transfer`;
        done = { key: "done_transfer", vars: { number: tk.number, service: nm(service(to)) } };
        break;
      }
      default: // recall, start, finish
        path = `/tickets/${tk.id}/${action}`;
        done = { key: "done_" + action, vars: { number: tk.number } };
    }
    S.busy = true;
    renderWork();
    try {
      const res = await api("POST", path, body);
      if (action === "call-next" && res?.ticket) {
        const counter = nm(counterCfg(S.counterId));
        done = { key: "done_call", vars: { number: res.ticket.number, counter } };
      }
      clearError();
      S.lastAction = done;
      if (action === "no-show") $("put-back").checked = false;
    } catch (e) {
      if (e.status === 401) return sessionLost();
      showError(errorFromApi(e));
    } finally {
      S.busy = false;
    }
    await refresh(); // the stream says so too; this is the quick path
    if (S.view === "work") renderWork();
  }

  // ---- login and counter choice -----------------------------------------------
  async function onLogin(ev) {
    ev.preventDefault();
    if (S.busy) return;
    const id = $("staff-id").value.trim();
    const pin = $("pin").value;
    if (!id || !pin) {
      showError({ key: "need_fields" });
      (!id ? $("staff-id") : $("pin")).focus();
      return;
    }
    const btn = $("btn-login");
    S.busy = true;
    btn.setAttribute("aria-busy", "true");
    btn.textContent = t("logging_in");
    try {
      const s = await api("POST", "/sessions", { staff_id: id, pin });
      S.session = { session: s.session, staff: s.staff, expires_ms: s.expires_ms };
      try { sessionStorage.setItem(KEY_SESSION, JSON.stringify(S.session)); } catch { /* ignore */ }
      $("pin").value = "";
      clearError();
      startEvents();
      show(S.counterId && counterCfg(S.counterId) ? "work" : "counter");
    } catch (e) {
      showError(errorFromApi(e));
      const pinEl = $("pin");
      pinEl.value = "";
      pinEl.focus();
    } finally {
      S.busy = false;
      btn.removeAttribute("aria-busy");
      btn.textContent = t("login");
    }
  }

  function onChooseCounter(ev) {
    ev.preventDefault();
    const r = document.querySelector("#counter-list input:checked");
    if (!r) return showError({ key: "need_counter" });
    S.counterId = r.value;
    try { sessionStorage.setItem(KEY_COUNTER, S.counterId); } catch { /* ignore */ }
    clearError();
    S.lastAction = null;
    show("work");
  }

  async function onLogout() {
    const had = S.session;
    if (had) {
      try { await api("DELETE", "/sessions/current"); } catch { /* gone already */ }
    }
    dropSession();
    S.counterId = null;
    S.lastAction = null;
    try { sessionStorage.removeItem(KEY_COUNTER); } catch { /* ignore */ }
    showError(null);
    $("last-action").textContent = "";
    show("login");
  }

  // ---- keyboard shortcuts -------------------------------------------------------
  const KEYS = { n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show", o: "open", p: "pause" };

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing || ev.repeat) return;
    const el = ev.target;
    const tag = el?.tagName;
    const typing = tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(el.type));
    if (typing) return;
    const k = ev.key.toLowerCase();
    if (k === "l") {
      ev.preventDefault();
      setLang(S.lang === "zh-CN" ? "en" : "zh-CN");
      return;
    }
    if (S.view !== "work") return;
    if (k === "t") {
      ev.preventDefault();
      $("transfer-to").focus();
      return;
    }
    const action = KEYS[k];
    if (!action) return;
    ev.preventDefault();
    act(action);
  }

  // ---- start ------------------------------------------------------------------------
  async function boot() {
    let lang = null;
    try { lang = localStorage.getItem(KEY_LANG); } catch { /* ignore */ }
    if (!lang) lang = /^en\b/i.test(navigator.language || "") ? "en" : "zh-CN";
    setLang(lang);

    $("login-form").addEventListener("submit", onLogin);
    $("counter-form").addEventListener("submit", onChooseCounter);
    $("btn-logout").addEventListener("click", onLogout);
    $("btn-counter").addEventListener("click", () => { clearError(); show("counter"); });
    $("btn-lang").addEventListener("click", () => setLang(S.lang === "zh-CN" ? "en" : "zh-CN"));
    for (const [action, id] of Object.entries(ACTION_BUTTONS)) {
      $(id).addEventListener("click", () => act(action));
    }
    document.addEventListener("keydown", onKey);
    setInterval(() => { if (S.view === "work") renderTimes(); }, 1000);

    try {
      S.branch = await api("GET", "/branch");
    } catch (e) {
      showError(errorFromApi(e));
    }
    try {
      S.session = JSON.parse(sessionStorage.getItem(KEY_SESSION) || "null");
      S.counterId = sessionStorage.getItem(KEY_COUNTER);
    } catch { S.session = null; }
    if (S.session && !S.session.session) S.session = null;
    if (S.counterId && !counterCfg(S.counterId)) S.counterId = null;
    if (!S.session) return show("login");
    try {
      await api("GET", "/sessions/current");
    } catch (e) {
      if (e.status === 401) return sessionLost();
    }
    startEvents();
    show(S.counterId ? "work" : "counter");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
