"""The kernel side of the bridge: runs a test's request against the student's namespace.

Sent as source into the student kernel after ``wire`` (see grader/inkernel/__init__.py);
the in-process link imports it. Standard library only; ``wire`` is handed in, not
imported. It answers with wire data only. Nothing it says is trusted: the grader compares
what comes back with reference values it computes itself.
"""
import ast
import inspect
import linecache
import traceback

CELL_PREFIXES = ("/tmp/ipykernel_", "<ipython-input-")
MESSAGE_CHARS = 600
NAME_CHARS = 100      # a type's or a global's name
LINE_CHARS = 300      # a traceback line
REQUEST, REPLY = "nbagent_request", "nbagent_reply"   # shell message types (see install)


class Agent:
    """Answers requests. ``max_bytes``: array data in one reply; ``max_message``: the text of
    one request or reply, its envelope included."""

    def __init__(self, shell, wire, *, max_bytes, max_message):
        self.shell = shell
        self.wire = wire
        self.max_bytes = max_bytes
        self.max_message = max_message
        self.refs = {}
        self.next_id = 1
        self.snapshots = {}
        self.history = {}   # name -> [(where, function or class)], each definition in the order made
        self.note = None    # said about the current request, sent with its reply
        self.last = ""
        self.endpoint = None   # the socket of its own it answers on (see install), if any

    # ------------------------------------------------------------------ entry point
    def handle(self, request_text):
        wire = self.wire
        self.note = None
        try:
            request = wire.loads(request_text, max_chars=self.max_message)
            for ref_id in request.get("release") or ():   # what earlier tests no longer hold
                self.refs.pop(ref_id, None)
            value = getattr(self, "op_" + request["op"])(request)
            if request.get("keep"):
                reply = {"ok": True, "value": self.make_ref(value)}
            else:
                reply = {"ok": True, "value": self.encode(value)}
        except _Failure as failure:
            reply = {"ok": False, "error": failure.info}
        except wire.WireFormatError as exc:
            reply = {"ok": False, "error": {"kind": "wire", "message": str(exc)}}
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            reply = {"ok": False, "error": self.describe(exc, "the grader's request")}
        if self.note and reply.get("ok"):
            reply["note"] = _short(self.note)
        if getattr(self.shell, "exit_now", False):
            # IPython's exit() or quit() in the student's code: an error of this call, not a
            # reason for the kernel to stop after answering.
            self.shell.exit_now = False
            reply = {"ok": False, "error": {"kind": "raised", "type": "SystemExit", "where": "",
                                            "message": "exit() was called", "lines": []}}
        try:
            self.last = wire.dumps(reply)
        except BaseException as exc:  # noqa: BLE001
            self.last = wire.dumps({"ok": False, "error": {"kind": "wire", "message": _short(_safe_str(exc))}})
        if len(self.last) > self.max_message - wire.ENVELOPE_CHARS:
            self.last = wire.dumps({"ok": False, "error": {"kind": "wire", "message":
                                    "the value is over the size limit for values returned to the grader"}})
        return None

    # ------------------------------------------------------------------ operations
    def op_snapshot(self, request):
        self.snapshots[request["label"]] = dict(self.shell.user_ns)
        return None

    def op_record(self, request):
        """After a cell ran: remember each function or class newly bound to a global name, so
        that a later redefinition does not hide the one a section's checks need."""
        where = {"cell": request.get("cell"), "section": request.get("section")}
        for name, value in list(self.shell.user_ns.items()):
            if name.startswith("_") or not (isinstance(value, type) or inspect.isfunction(value)):
                continue
            seen = self.history.setdefault(name, [])
            if not seen or seen[-1][1] is not value:
                seen.append((where, value))
        return None

    def op_survey(self, request):
        """For each section, which of the names are missing or bound to None there."""
        found = {}
        for section in request["sections"]:
            statuses = {}
            for name in request["names"]:
                value = self.find(name, section or None)
                if value is _MISSING or value is None:
                    statuses[name] = "missing" if value is _MISSING else "none"
            found[section] = statuses
        return found

    def op_defined(self, request):
        return [n for n in request["names"] if self.find(n, request.get("section")) not in (_MISSING, None)]

    def op_lookup(self, request):
        return self.resolve(request["target"])

    def op_call(self, request):
        target = request["target"]
        function = self.resolve(target)
        args = [self.decode(a) for a in request.get("args", [])]
        kwargs = {k: self.decode(v) for k, v in request.get("kwargs", {}).items()}
        if "name" in target and not target.get("path"):
            if function is None:
                raise _Failure({"kind": "missing", "name": _short(target["name"], NAME_CHARS), "none": True})
            if not _fits(function, args, kwargs):
                function = self.fitting_definition(target["name"], function, args, kwargs)
        where = request.get("label", "the function")
        try:
            return function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            raise _Failure(self.describe(exc, where)) from None

    def fitting_definition(self, name, current, args, kwargs):
        """Another definition of ``name`` the student made that takes these arguments (the
        most recent first), noted in the reply; else ``current``."""
        for where, candidate in reversed(self.history.get(name, [])):
            if candidate is not current and _fits(candidate, args, kwargs):
                self.note = (f"used your definition of {_short(name, NAME_CHARS)} from cell {where['cell']} "
                             f"(section {where['section']}): the one in force does not take these arguments")
                return candidate
        return current

    def op_getattr(self, request):
        obj = self.refs[request["ref"]]
        try:
            return getattr(obj, request["attr"])
        except AttributeError as exc:
            raise _Failure({"kind": "attribute", "type": "AttributeError",
                            "message": _short(_safe_str(exc)), "lines": []}) from None
        except BaseException as exc:  # noqa: BLE001 - a property raised
            raise _Failure(self.describe(exc, request.get("label", "the attribute"))) from None

    def op_setattr(self, request):
        setattr(self.refs[request["ref"]], request["attr"], self.decode(request["value"]))
        return None

    def op_run(self, request):
        namespace = self.namespace(request.get("section"))
        for name, value in request.get("bindings", {}).items():
            namespace[name] = self.decode(value)
        tree = ast.parse(request["code"], "<check>", "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        try:
            exec(compile(tree, "<check>", "exec"), namespace)
            return eval(compile(last, "<check>", "eval"), namespace) if last else None
        except BaseException as exc:  # noqa: BLE001
            missing = _missing_name(exc, namespace)
            if missing:
                raise _Failure({"kind": "missing", "name": _short(missing, NAME_CHARS)}) from None
            raise _Failure(self.describe(exc, request.get("label", "the check"))) from None

    def op_release(self, request):
        for ref_id in request["ids"]:
            self.refs.pop(ref_id, None)
        return None

    # ------------------------------------------------------------------ helpers
    def namespace(self, section):
        namespace = dict(self.shell.user_ns)
        if section and section in self.snapshots:
            namespace.update(self.snapshots[section])
        return namespace

    def find(self, name, section):
        if section and name in self.snapshots.get(section, {}):
            return self.snapshots[section][name]
        return self.shell.user_ns.get(name, _MISSING)

    def resolve(self, target):
        if "ref" in target:
            obj = self.refs[target["ref"]]
        else:
            obj = self.find(target["name"], target.get("section"))
            if obj is _MISSING:
                raise _Failure({"kind": "missing", "name": _short(target["name"], NAME_CHARS)})
        for attr in target.get("path", []):
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                raise _Failure({"kind": "attribute", "type": "AttributeError", "lines": [],
                                "message": f"{_type_name(obj)} has no attribute {_short(repr(attr), NAME_CHARS)}"}) from None
        return obj

    def encode(self, value):
        return self.wire.encode(value, budget=self.wire.Budget(self.max_bytes), make_ref=self.make_ref)

    def decode(self, data):
        return self.wire.decode(data, resolve_ref=lambda body: self.refs[body["id"]])

    def make_ref(self, obj):
        ref_id = self.next_id
        self.next_id += 1
        self.refs[ref_id] = obj
        try:
            text = repr(obj)
        except BaseException:  # noqa: BLE001
            text = "<unprintable>"
        return {"$ref": {"id": ref_id, "type": _type_name(obj), "repr": _short(text, 200),
                         "callable": bool(callable(obj))}}

    def describe(self, exc, where):
        lines = []
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith(CELL_PREFIXES):
                code = frame.line or linecache.getline(frame.filename, frame.lineno).strip()
                lines.append(_short(f"cell line {frame.lineno}, in {frame.name}: {code}", LINE_CHARS))
        return {"kind": "raised", "type": _type_name(exc), "where": _short(where, NAME_CHARS),
                "message": _short(_safe_str(exc)), "lines": lines[-8:]}


class _Failure(Exception):
    def __init__(self, info):
        super().__init__(info.get("message", ""))
        self.info = info


class _Missing:
    pass


_MISSING = _Missing()


def _fits(function, args, kwargs):
    """Can ``function`` be called with these arguments? (True when its signature is unknown.)"""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _missing_name(exc, namespace):
    if type(exc) is NameError and getattr(exc, "name", None) and exc.name not in namespace:
        tb = traceback.extract_tb(exc.__traceback__)
        if tb and tb[-1].filename == "<check>":
            return exc.name
    return None


def _safe_str(exc):
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001
        return "<unprintable message>"


def _type_name(obj):
    try:
        return _short(type(obj).__name__, NAME_CHARS)
    except BaseException:  # noqa: BLE001
        return "object"


def _short(text, limit=MESSAGE_CHARS):
    # grader.text.shorten's twin: code sent into a kernel imports nothing from the grader.
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def install(shell, wire, *, max_bytes, max_message, endpoint=None):
    """The agent, answering REQUEST messages on the kernel's shell channel: a reply goes
    straight back on that channel, without IPython running a cell for it. With ``endpoint``
    (an ``ipc://`` address beside the kernel's channels) it also answers on a socket of its
    own there, if the kernel can: ``agent.endpoint`` says whether it does."""
    agent = Agent(shell, wire, max_bytes=max_bytes, max_message=max_message)
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        def serve(stream, ident, parent):
            agent.handle(parent.get("content", {}).get("request", ""))
            kernel.session.send(stream, REPLY, {"reply": agent.last}, parent, ident)
        kernel.shell_handlers[REQUEST] = serve
        if endpoint:
            agent.endpoint = _serve_on_socket(agent, kernel, endpoint, max_message)
    return agent


def _serve_on_socket(agent, kernel, endpoint, max_message):
    """Answer [id, request] frames on a PAIR socket bound at ``endpoint``, read by the
    kernel's main event loop: the request skips the shell channel's thread hops and its
    busy/idle statuses (a tenth of the round trip). As on the shell channel, requests are
    only read while no cell runs, and an interrupt raises KeyboardInterrupt in the call.
    Returns the endpoint, or None when this kernel cannot (the shell channel still answers)."""
    try:
        import zmq
        from zmq.eventloop.zmqstream import ZMQStream
        loop = kernel.io_loop
        if loop is None:
            return None
        sock = zmq.Context.instance().socket(zmq.PAIR)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.MAXMSGSIZE, max_message)
        sock.bind(endpoint)
    except Exception:  # noqa: BLE001 - no pyzmq, no loop, a path that cannot be bound
        return None

    # As ipykernel does around a shell message: SIGINT raises KeyboardInterrupt meanwhile.
    before = getattr(kernel, "pre_handler_hook", lambda: None)
    after = getattr(kernel, "post_handler_hook", lambda: None)

    def serve(frames):
        if len(frames) != 2:
            return
        before()
        try:
            agent.handle(frames[1].decode("utf-8", "replace"))
        finally:
            after()
        try:
            sock.send_multipart([frames[0], agent.last.encode("utf-8", "replace")], zmq.NOBLOCK)
        except Exception:  # noqa: BLE001 - the grader is gone or not reading: it times out
            pass

    ZMQStream(sock, loop).on_recv(serve)
    return endpoint
