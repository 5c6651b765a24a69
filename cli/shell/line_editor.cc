#include "cli/shell/line_editor.h"

#include <fcntl.h>
#include <histedit.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cwchar>

#include "cli/script/interrupt.h"

namespace sluice {

namespace {

constexpr int kHistorySize = 1000;
constexpr wchar_t kInterruptKey = 3;  // ^C: what the input function returns after a Ctrl-C

LineEditor* Self(EditLine* editline) {
  void* data = nullptr;
  el_get(editline, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

// A Ctrl-C that the terminal turns into SIGINT also discards the typed input that is waiting.
// Between a poll() that saw that input and the read() of it, the read would then block with
// the interrupt already spent; a read that cannot block goes back to poll() and sees it. The
// terminal is opened again for this rather than setting O_NONBLOCK on stdin, whose open file
// description the parent shell shares and would inherit.
int OpenNonBlockingInput() {
  int fd = open("/proc/self/fd/0", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  return fd >= 0 ? fd : STDIN_FILENO;  // without /proc: the blocking stdin, as before
}

}  // namespace

LineEditor::LineEditor(HistoryFile history_file)
    : history_file_(std::move(history_file)), input_fd_(OpenNonBlockingInput()) {
  // Multi-byte input (UTF-8 names and strings) needs the user's character type.
  std::setlocale(LC_CTYPE, "");
  editline_ = el_init("sluice", stdin, stdout, stderr);
  history_ = history_init();
  HistEvent event;
  history(history_, &event, H_SETSIZE, kHistorySize);
  history(history_, &event, H_SETUNIQUE, 1);
  for (const std::string& entry : history_file_.Load()) {
    history(history_, &event, H_ENTER, entry.c_str());
  }
  el_set(editline_, EL_CLIENTDATA, this);
  el_set(editline_, EL_EDITOR, "emacs");
  el_set(editline_, EL_HIST, history, history_);
  el_set(editline_, EL_PROMPT, &LineEditor::PromptCallback);
  el_set(editline_, EL_GETCFN, &LineEditor::GetCharCallback);
  // Whether the terminal turns ^C into SIGINT or passes it through, it ends up as this key.
  el_set(editline_, EL_ADDFN, "sluice-interrupt", "discard the line being typed",
         &LineEditor::InterruptKeyCallback);
  el_set(editline_, EL_BIND, "^C", "sluice-interrupt", nullptr);
  el_source(editline_, nullptr);  // the user's ~/.editrc, as other libedit programs do
}

LineEditor::~LineEditor() {
  el_end(editline_);
  history_end(history_);
  if (input_fd_ != STDIN_FILENO) close(input_fd_);
}

LineEditor::ReadStatus LineEditor::ReadLine(const std::string& prompt, std::string& line) {
  prompt_ = prompt;
  interrupted_ = false;
  // Raw mode before the prompt shows: libedit would switch only at its first read, and a line
  // typed in between would be echoed twice (by the terminal, then by libedit).
  el_set(editline_, EL_PREP_TERM, 1);
  int count = 0;
  const char* text = el_gets(editline_, &count);
  if (interrupted_) {
    // The terminal echoes nothing in libedit's raw mode, so show what happened.
    std::fputs("^C\n", stdout);
    std::fflush(stdout);
    el_reset(editline_);
    return ReadStatus::kInterrupted;
  }
  if (text == nullptr || count <= 0) return ReadStatus::kEof;
  line.assign(text, static_cast<size_t>(count));
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return ReadStatus::kLine;
}

void LineEditor::AddHistory(std::string_view entry) {
  if (entry.empty()) return;
  std::string text(entry);
  HistEvent event;
  history(history_, &event, H_ENTER, text.c_str());
  history_file_.Append(text);
}

char* LineEditor::PromptCallback(EditLine* editline) { return Self(editline)->prompt_.data(); }

int LineEditor::GetCharCallback(EditLine* editline, wchar_t* out) {
  LineEditor* self = Self(editline);
  std::mbstate_t state{};
  while (true) {
    pollfd fds[2] = {{self->input_fd_, POLLIN, 0}, {InterruptFd(), POLLIN, 0}};
    int ready = poll(fds, InterruptFd() >= 0 ? 2 : 1, -1);
    if (ready < 0 && errno == EINTR) continue;  // the self-pipe says whether it was Ctrl-C
    if (ready < 0) return -1;
    if (fds[1].revents & POLLIN) {
      ClearInterrupt();
      self->interrupted_ = true;
      *out = kInterruptKey;
      return 1;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char byte;
    ssize_t got = read(self->input_fd_, &byte, 1);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return got == 0 ? 0 : -1;
    // Feed bytes until they make a whole character in the user's encoding.
    wchar_t wide;
    size_t used = std::mbrtowc(&wide, &byte, 1, &state);
    if (used == static_cast<size_t>(-2)) continue;  // more bytes of this character to come
    if (used == static_cast<size_t>(-1)) {
      state = std::mbstate_t{};
      wide = static_cast<unsigned char>(byte);  // not valid in the locale: pass the byte through
    }
    if (wide == kInterruptKey) self->interrupted_ = true;  // ^C typed with ISIG off
    *out = wide;
    return 1;
  }
}

unsigned char LineEditor::InterruptKeyCallback(EditLine* editline, int key) {
  Self(editline)->interrupted_ = true;
  return CC_NEWLINE;  // ends el_gets; ReadLine sees interrupted_ and drops the line
}

}  // namespace sluice
