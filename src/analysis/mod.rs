//! Pure analysis over activation matrices: no I/O, no terminal, no threads of its own.

pub mod nonlinear;
pub mod predict;
