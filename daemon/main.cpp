#include "app.hpp"

int main(int argc, char** argv) { return feedd::daemon::main(argc, argv); }
