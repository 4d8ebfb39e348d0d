#include "op_plan.h"

#include "npusim/checked.h"

namespace npusim::mappers {

uint64_t bytes_of(uint64_t elems, unsigned bits) { return ceil_div(elems * bits, 8); }
uint64_t round_burst(uint64_t bytes, uint64_t burst) { return bytes == 0 ? 0 : ceil_div(bytes, burst) * burst; }

void spread(std::vector<TileStep>& steps, const Totals& t) {
  NPUSIM_ASSERT(!steps.empty(), "spreading over no steps");
  uint64_t n = 0;
  for (const auto& s : steps) n += s.repeat;
  bool rem = false;
  auto each = [&](uint64_t total, uint64_t TileStep::*field) {
    for (auto& s : steps) s.*field += total / n;
    if (total % n) rem = true;
  };
  for (int k = 0; k < kNumTraffic; ++k) {
    for (auto& s : steps) s.dram_read_bytes[k] += t.read[k] / n, s.dram_write_bytes[k] += t.write[k] / n;
    if (t.read[k] % n || t.write[k] % n) rem = true;
  }
  each(t.sram_read, &TileStep::sram_read_bytes);
  each(t.sram_write, &TileStep::sram_write_bytes);
  each(t.vector_elems, &TileStep::vector_elems);
  each(t.vector_cycles, &TileStep::vector_cycles);
  for (auto& s : steps) s.dram_transfers += t.transfers;
  if (!rem) return;
  if (steps[0].repeat > 1) {
    TileStep first = steps[0];
    first.repeat = 1;
    steps[0].repeat -= 1;
    steps.insert(steps.begin(), first);
  }
  TileStep& f = steps[0];
  for (int k = 0; k < kNumTraffic; ++k) f.dram_read_bytes[k] += t.read[k] % n, f.dram_write_bytes[k] += t.write[k] % n;
  f.sram_read_bytes += t.sram_read % n;
  f.sram_write_bytes += t.sram_write % n;
  f.vector_elems += t.vector_elems % n;
  f.vector_cycles += t.vector_cycles % n;
}

void absorb(std::vector<TileStep>& host, const std::vector<TileStep>& guest) {
  Totals t;
  for (const auto& s : guest) {
    for (int k = 0; k < kNumTraffic; ++k) t.read[k] += s.repeat * s.dram_read_bytes[k];
    for (int k = 0; k < kNumTraffic; ++k) t.write[k] += s.repeat * s.dram_write_bytes[k];
    t.sram_read += s.repeat * s.sram_read_bytes;
    t.sram_write += s.repeat * s.sram_write_bytes;
    t.vector_elems += s.repeat * s.vector_elems;
    t.vector_cycles += s.repeat * s.vector_cycles;
  }
  spread(host, t);
}

}  // namespace npusim::mappers
