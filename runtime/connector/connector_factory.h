#pragma once
// Builds a plan's source and sink from their specs (store type decides the connector).

#include <memory>
#include <string>

#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

Result<std::unique_ptr<Source>> CreateSource(const SourceSpec& spec, const std::string& data_dir);
// REQUIRES: spec.kind is not kCollect (collecting sinks are made by the caller).
Result<std::unique_ptr<Sink>> CreateSink(const SinkSpec& spec, const std::string& data_dir);

}  // namespace sluice
