#include "support/test_database.hpp"

#include <atomic>
#include <cctype>
#include <stdexcept>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include "support/paths.hpp"

namespace feedd::test {
namespace {

std::string admin_exec(const std::string& cluster, const std::string& sql) {
  std::string conninfo = cluster + " dbname=postgres";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

std::string sanitize(const std::string& label) {
  std::string out;
  for (char c : label) out += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? static_cast<char>(std::tolower(c)) : '_';
  return out.substr(0, 30);
}

}  // namespace

test_database::test_database(const std::string& label) : test_database(label, pg_conninfo()) {}

test_database::test_database(const std::string& label, const std::string& cluster) : cluster_(cluster) {
  static std::atomic<int> counter{0};
  name_ = "t_" + sanitize(label) + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string error = admin_exec(cluster_, "CREATE DATABASE " + name_);
  if (!error.empty()) throw std::runtime_error("test database: " + error);
  conninfo_ = cluster_ + " dbname=" + name_;
}

test_database::~test_database() { admin_exec(cluster_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }

std::string test_database::scalar(const std::string& sql) const {
  PGconn* conn = PQconnectdb(conninfo_.c_str());
  std::string value;
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "connect: " << PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) value = PQgetvalue(r, 0, 0);
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      ADD_FAILURE() << sql << ": " << PQerrorMessage(conn);
    }
    PQclear(r);
  }
  PQfinish(conn);
  return value;
}

void test_database::exec(const std::string& sql) const { scalar(sql); }

}  // namespace feedd::test
