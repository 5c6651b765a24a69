// A stand-in for `sluice worker` in tests: the same WorkerMain() the real binary runs, without
// linking the engine, planner and shell into the test's worker.

#include <cstring>

#include "runtime/worker/worker_main.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "worker") == 0) return sluice::WorkerMain();
  return 2;
}
