// The Python module `npusim`: the CLI's run, compare and sweep for notebooks and scripts, with
// the same structures as their --json output (parsed by Python's json module), so a figure has
// one name and one value whichever way it was asked for. Bad input raises npusim.Error (a
// ValueError) carrying the message the CLI prints after "error: ".
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "arch/config_schema.h"
#include "arch/units.h"
#include "npusim/error.h"
#include "npusim/line_reader.h"
#include "reports/run_report.h"
#include "reports/sweep_results.h"
#include "sim/sweep.h"
#include "sim/version.h"
#include "tools/cli.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace py = pybind11;

namespace {

using npusim::UserError;
using Command = int (*)(const npusim::tools::CommandArgs&, std::ostream&);

// A keyword value as a flag value: True/False as 1/0 (guidance=True), anything else as str().
std::string flag_text(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "1" : "0";
  return py::str(v).cast<std::string>();
}

// "a" or ["a", "b"] -> "a,b".
std::string list_text(const py::handle& v) {
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  std::string out;
  for (const py::handle item : v) {
    if (!out.empty()) out += ',';
    out += flag_text(item);
  }
  return out;
}

// Adds `flag NAME=VALUE` for each item of a dict, or `flag ITEM` for each "NAME=VALUE" string
// of a list.
void add_assignments(std::vector<std::string>& args, const std::string& flag, const py::object& v) {
  if (v.is_none()) return;
  if (py::isinstance<py::dict>(v)) {
    for (const auto& [name, value] : v.cast<py::dict>()) {
      args.push_back(flag);
      args.push_back(flag_text(name) + "=" + flag_text(value));
    }
    return;
  }
  if (py::isinstance<py::str>(v))
    throw UserError(flag.substr(2) + "=: expected a dict {name: value} or a list of 'name=value'");
  for (const py::handle item : v) {
    args.push_back(flag);
    args.push_back(flag_text(item));
  }
}

void add_flag(std::vector<std::string>& args, const std::string& flag, const py::object& v) {
  if (v.is_none()) return;
  args.push_back(flag);
  args.push_back(flag_text(v));
}

// Runs one CLI command with `args` (without the GIL) and parses its JSON output.
py::object command_json(Command command, const std::vector<std::string>& args) {
  std::ostringstream out;
  {
    py::gil_scoped_release release;
    command(args, out);
  }
  return py::module_::import("json").attr("loads")(out.str());
}

std::vector<std::string> model_args(const std::string& command, const py::object& hw, const std::string& model,
                                    const py::object& precision, const py::object& dims, const py::object& set,
                                    const py::object& engine, const py::object& phase) {
  std::vector<std::string> args = {command, "--json", "--model", model};
  if (!hw.is_none()) {
    args.push_back("--hw");
    args.push_back(list_text(hw));
  }
  add_flag(args, "--precision", precision);
  add_assignments(args, "--dim", dims);
  add_assignments(args, "--set", set);
  add_flag(args, "--engine", engine);
  add_flag(args, "--phase", phase);
  return args;
}

py::object run(const py::object& hw, const std::string& model, const py::object& strategy, const py::object& precision,
               const py::object& dims, const py::object& set, const py::object& engine, const py::object& phase,
               const py::object& trace) {
  std::vector<std::string> args = model_args("run", hw, model, precision, dims, set, engine, phase);
  add_flag(args, "--strategy", strategy);
  add_flag(args, "--trace", trace);
  return command_json(npusim::tools::cmd_run, args);
}

py::object compare(const py::object& hw, const std::string& model, const py::object& strategies,
                   const py::object& strategy, const py::object& precision, const py::object& dims,
                   const py::object& set, const py::object& engine, const py::object& phase, const py::object& layers) {
  std::vector<std::string> args = model_args("compare", hw, model, precision, dims, set, engine, phase);
  if (!strategies.is_none()) {
    args.push_back("--strategies");
    args.push_back(list_text(strategies));
  }
  add_flag(args, "--strategy", strategy);
  add_flag(args, "--layers", layers);
  return command_json(npusim::tools::cmd_compare, args);
}

// A sweep from a file path, YAML text (it has a newline) or a dict (written as JSON, which is
// YAML); relative paths in text or a dict are resolved against the current directory.
npusim::sim::SweepSpec sweep_spec(const py::object& spec) {
  if (py::isinstance<py::dict>(spec)) {
    const std::string text = py::module_::import("json").attr("dumps")(spec).cast<std::string>();
    return npusim::sim::parse_sweep_text(text, "<sweep dict>", ".");
  }
  const std::string s = py::str(spec).cast<std::string>();
  if (s.find('\n') != std::string::npos) return npusim::sim::parse_sweep_text(s, "<sweep text>", ".");
  return npusim::sim::load_sweep(s);
}

// A running sweep as a Python iterator: its points run on `jobs` threads in the background
// (no Python in them) and __next__ yields each point's result line, as a dict, in point order as
// soon as that point and every one before it are done. At the end `out` (if given) is written as
// `npusim sweep --out` writes it. Ctrl-C while __next__ waits raises KeyboardInterrupt within
// kSignalPoll plus the points in flight (one per thread); that, close() (also on leaving a `with`
// block), or dropping the iterator (break, del, an exception) cancels the sweep: no new point
// starts, the points in flight finish, and `out` gets the header and the points done, a prefix of
// the sweep in index order, which `npusim sweep --resume` continues. After that __next__ raises
// StopIteration, as a closed generator's does.
class SweepIterator {
 public:
  SweepIterator(npusim::sim::SweepSpec spec, unsigned jobs, std::string out)
      : spec_(std::move(spec)), hw_dirs_(npusim::tools::hw_dirs()), out_(std::move(out)) {
    const npusim::arch::NpuConfig base = npusim::sim::load_sweep_base(spec_, hw_dirs_);
    hash_ = npusim::sim::sweep_hash(spec_, base);
    header_ = npusim::reports::sweep_header_line(spec_, base, hash_);
    workloads_ = npusim::tools::load_sweep_workloads(spec_);
    worker_ = std::thread([this, jobs] { run(jobs); });
  }
  SweepIterator(const SweepIterator&) = delete;
  SweepIterator& operator=(const SweepIterator&) = delete;
  // Runs from Python's dealloc (GIL held). The worker is joined before any member it uses dies.
  ~SweepIterator() {
    try {
      close();
    } catch (const std::exception& e) {
      // No exception leaves a destructor: reported as Python reports one raised in __del__.
      PyErr_SetString(PyExc_RuntimeError, npusim::tools::safe_message(e.what()).c_str());
      py::error_already_set().discard_as_unraisable("npusim.SweepIterator (out=)");
    }
  }

  // Cancels the sweep, joins the worker and writes `out` (points done so far) unless it was
  // written; an error writing it is raised, once. Idempotent, as a generator's close().
  void close() {
    cancel();
    if (!out_.empty() && !written_) write_out();
  }

  py::object next() {
    if (stop_.stop_requested()) throw py::stop_iteration();  // closed or interrupted: ended
    std::string line;
    for (bool ready = false; !ready;) {
      {
        py::gil_scoped_release release;
        std::unique_lock<std::mutex> lock(mutex_);
        ready = ready_.wait_for(lock, kSignalPoll, [&] { return lines_.count(next_) > 0 || finished_; });
        if (auto it = lines_.find(next_); ready && it != lines_.end()) {
          line = it->second;
          // Kept for out= unless there is none: then a yielded line is not held.
          if (out_.empty()) lines_.erase(it);
          ++next_;
        }
      }
      // Python runs signal handlers only when the main thread asks: here, between waits.
      if (!ready && PyErr_CheckSignals() != 0) interrupt();
    }
    if (line.empty()) {
      finish();
      throw py::stop_iteration();
    }
    return py::module_::import("json").attr("loads")(line);
  }

 private:
  static constexpr std::chrono::milliseconds kSignalPoll{50};

  void run(unsigned jobs) {
    try {
      std::vector<uint64_t> todo(spec_.num_points());
      for (uint64_t i = 0; i < todo.size(); ++i) todo[i] = i;
      npusim::sim::run_sweep(
          spec_, todo, workloads_, hw_dirs_, jobs,
          [&](const npusim::sim::SweepPoint& p, const npusim::sim::WorkloadResult* r, const std::string& error) {
            std::string line = npusim::reports::sweep_point_line(hash_, p, r, error);
            std::lock_guard<std::mutex> lock(mutex_);
            lines_.emplace(p.index, std::move(line));
            ready_.notify_all();
          },
          stop_.get_token());  // a cancelled run_sweep returns normally, its points in flight kept
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    ready_.notify_all();
  }

  // Stops the sweep: no new point starts, the points in flight finish, the worker is joined.
  void cancel() {
    stop_.request_stop();
    join();
  }

  // Once, whoever asks first (close() on another Python thread while __next__ finishes); the
  // others wait for it. Without the GIL, which the worker does not need but other waiters hold.
  void join() {
    py::gil_scoped_release release;
    std::call_once(joined_, [this] { worker_.join(); });
  }

  // Ctrl-C in __next__: the sweep is closed, then KeyboardInterrupt (or what the signal handler
  // raised) propagates; an error writing `out` is raised instead.
  [[noreturn]] void interrupt() {
    py::error_already_set raised;  // fetched: the error indicator is clear meanwhile
    close();
    throw raised;
  }

  // After the last line: the worker's failure, if any, else the results file once.
  void finish() {
    join();
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    if (!out_.empty() && !written_) write_out();
  }

  // The header, then each done point's line in index order: what `npusim sweep --out` writes,
  // complete or (cancelled) for `npusim sweep --resume` to continue. Tried once; worker joined.
  void write_out() {
    written_ = true;
    std::string text = header_;
    for (const auto& [index, line] : lines_) text += line;
    npusim::reports::replace_file(out_, text);
  }

  npusim::sim::SweepSpec spec_;
  std::vector<std::string> hw_dirs_;
  std::string out_, hash_;
  std::map<std::string, npusim::workloads::Workload> workloads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::string header_;
  std::map<uint64_t, std::string> lines_;  // the point lines done so far, by index (under mutex_)
  uint64_t next_ = 0;                      // the index __next__ yields next
  bool finished_ = false, written_ = false;
  std::exception_ptr failure_;
  std::stop_source stop_;  // requested by close(), Ctrl-C or the destructor; run_sweep reads its token
  std::once_flag joined_;
  std::thread worker_;  // last: started once everything it reads exists
};

SweepIterator* sweep(const py::object& spec_or_path, const py::object& jobs, const py::object& engine,
                     const py::object& out) {
  npusim::sim::SweepSpec spec = sweep_spec(spec_or_path);
  if (!engine.is_none()) {
    spec.engine = flag_text(engine);
    npusim::sim::check_sweep_engine(spec.engine, "engine=");
  }
  unsigned n_jobs = std::max(1u, std::thread::hardware_concurrency());
  if (!jobs.is_none()) {
    const long j = jobs.cast<long>();
    if (j < 1) throw UserError("jobs=" + std::to_string(j) + ": expected a whole number >= 1");
    n_jobs = unsigned(j);
  }
  return new SweepIterator(std::move(spec), n_jobs, out.is_none() ? "" : py::str(out).cast<std::string>());
}

// Puts `value` under `key` in a flat row; nested dicts become "key.sub". A key the row already
// holds with another value (a point label and a metric of one name) is kept as "prefix.key".
void put_flat(py::dict& row, const std::string& prefix, const std::string& key, const py::handle& value) {
  if (py::isinstance<py::dict>(value)) {
    for (const auto& [k, v] : value.cast<py::dict>())
      put_flat(row, prefix, key + '.' + py::str(k).cast<std::string>(), v);
    return;
  }
  if (row.contains(key) && !py::object(row[py::str(key)]).equal(value)) {
    row[py::str(prefix + "." + key)] = value;
    return;
  }
  row[py::str(key)] = value;
}

// A sweep results file as one flat row per point: index, status, the point's labels (model,
// axes, strategy), its metrics by their vocabulary keys, and error for a failed point. A pandas
// DataFrame (the header dict in .attrs["header"]) when pandas imports, else a list of dicts.
py::object load_results(const std::string& path) {
  const npusim::reports::SweepFile file = npusim::reports::read_sweep_file(path);
  if (file.header.empty()) throw UserError(path + ": no sweep header line; not a results file of npusim sweep");
  py::object loads = py::module_::import("json").attr("loads");
  py::list rows;
  // The file holds where each point's line is; the lines are read one at a time.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(path + ": cannot be read: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  for (const auto& [index, offset] : file.lines) {
    const py::dict rec = loads(npusim::read_line_at(fd, offset, npusim::reports::kMaxSweepLineBytes, path));
    py::dict row;
    row["index"] = rec["index"];
    row["status"] = rec["status"];
    for (const auto& [k, v] : rec["point"].cast<py::dict>()) put_flat(row, "point", py::str(k), v);
    if (rec.contains("metrics"))
      for (const auto& [k, v] : rec["metrics"].cast<py::dict>()) put_flat(row, "metrics", py::str(k), v);
    if (rec.contains("error")) row["error"] = rec["error"];
    rows.append(row);
  }
  const py::object header = loads(file.header)["header"];
  py::object pandas;
  try {
    pandas = py::module_::import("pandas");
  } catch (const py::error_already_set&) {
    return rows;
  }
  py::object frame = pandas.attr("DataFrame")(rows);
  frame.attr("attrs")["header"] = header;
  return frame;
}

// The hardware parameter table (`npusim config --explain`): one dict per key.
py::list params() {
  py::list out;
  for (const npusim::arch::ParamSpec& p : npusim::arch::param_table()) {
    py::dict row;
    row["key"] = p.key;
    row["kind"] = std::string(npusim::arch::unit_kind_name(p.unit));
    row["unit"] = std::string(npusim::arch::base_unit_name(p.unit));
    row["default"] = p.default_text ? py::object(py::str(*p.default_text)) : py::object(py::none());
    row["valid"] = npusim::arch::format_range(p);
    row["meaning"] = p.doc;
    out.append(row);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(npusim, m) {
  m.doc() =
      "npusim: run, compare and sweep NPU simulations from Python, with the structures of the CLI's --json.\n"
      "Bad input raises npusim.Error (a ValueError) with the CLI's message.";
  m.attr("__version__") = npusim::version_string();
  static py::exception<UserError> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UserError& e) {
      PyErr_SetString(error.ptr(), npusim::tools::safe_message(e.what()).c_str());
    }
  });

  m.def("run", &run, py::arg("hw"), py::arg("model"), py::kw_only(), py::arg("strategy") = py::none(),
        py::arg("precision") = py::none(), py::arg("dims") = py::none(), py::arg("set") = py::none(),
        py::arg("engine") = py::none(), py::arg("phase") = py::none(), py::arg("trace") = py::none(),
        "Runs MODEL on HW as `npusim run --json` does and returns that JSON as a dict: dims={'steps': 20}, "
        "set={'dram.bandwidth': '24GB/s'}, trace='t.json' (with engine='systemc').");
  m.def("compare", &compare, py::arg("hw"), py::arg("model"), py::kw_only(), py::arg("strategies") = py::none(),
        py::arg("strategy") = py::none(), py::arg("precision") = py::none(), py::arg("dims") = py::none(),
        py::arg("set") = py::none(), py::arg("engine") = py::none(), py::arg("phase") = py::none(),
        py::arg("layers") = py::none(),
        "As `npusim compare --json`: strategies on one hw, or one strategy on a list of hw "
        "(hw=['a', 'b']); returns a dict.");
  py::class_<SweepIterator>(m, "SweepIterator",
                            "The result lines of a running sweep, in point order. A context manager: "
                            "`with npusim.sweep(...) as it:` closes it on leaving the block.")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &SweepIterator::next)
      .def("close", &SweepIterator::close,
           "Stops the sweep as a generator's close() does: no new point starts, the points in flight finish, "
           "out= gets the points done so far (for `npusim sweep --resume`), and next() raises StopIteration. "
           "Calling it again does nothing.")
      .def("__enter__", [](py::object self) { return self; })
      .def(
          "__exit__",
          [](SweepIterator& self, const py::args&) {
            self.close();
            return false;  // an exception raised in the block propagates
          },
          "Calls close(); an exception raised in the block propagates.");
  m.def("sweep", &sweep, py::arg("spec"), py::kw_only(), py::arg("jobs") = py::none(), py::arg("engine") = py::none(),
        py::arg("out") = py::none(),
        "Starts a sweep (a file path, YAML text or a dict of the sweep file's keys) on `jobs` threads and "
        "yields its result lines as dicts, in point order, each as soon as it and the points before it are "
        "done; out='x.jsonl' writes the results file when the last line has been yielded. Ctrl-C raises "
        "KeyboardInterrupt within ~0.1 s plus the points in flight (one per thread); it.close(), leaving "
        "`with npusim.sweep(...) as it:`, or dropping the iterator (breaking out of `for row in "
        "npusim.sweep(...)`, or `del it`) stops the sweep. Either way the points in flight finish, out= gets "
        "the points completed so far, and `npusim sweep SPEC --out x.jsonl --resume` continues it.");
  m.def("load_results", &load_results, py::arg("path"),
        "A sweep results file as a pandas DataFrame (one flat row per point; the header in .attrs['header']), "
        "or a list of dicts without pandas.");
  m.def("params", &params, "The hardware parameter table: key, kind, unit, default, valid range, meaning.");
  m.def(
      "metrics", [] { return py::module_::import("json").attr("loads")(npusim::reports::metrics_json()); },
      "The metric vocabulary (`npusim metrics --json`): key, unit, label, meaning.");
}
