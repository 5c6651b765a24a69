#pragma once
// LineEditor: libedit line editing for the interactive shell (emacs keys, history search). Its
// input function waits on the terminal and on the Ctrl-C self-pipe (cli/script/interrupt.h), so
// Ctrl-C at the prompt ends the read with kInterrupted instead of being lost or killing us.

#include <string>
#include <string_view>

#include "cli/shell/history_file.h"

typedef struct editline EditLine;
typedef struct history History;

namespace sluice {

class LineEditor {
 public:
  enum class ReadStatus { kLine, kInterrupted, kEof };

  // REQUIRES: stdin and stdout are a terminal; InstallInterruptHandler() was called.
  explicit LineEditor(HistoryFile history_file);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Reads one line (without its '\n') after showing `prompt`.
  ReadStatus ReadLine(const std::string& prompt, std::string& line);
  // Adds a statement or meta-command to the in-memory and on-disk history.
  void AddHistory(std::string_view entry);

 private:
  static char* PromptCallback(EditLine* editline);
  static int GetCharCallback(EditLine* editline, wchar_t* out);
  static unsigned char InterruptKeyCallback(EditLine* editline, int key);

  EditLine* editline_ = nullptr;
  History* history_ = nullptr;
  HistoryFile history_file_;
  std::string prompt_;
  bool interrupted_ = false;  // set by the input function, read after el_gets returns
  int input_fd_;              // the terminal, opened again without blocking reads
};

}  // namespace sluice
