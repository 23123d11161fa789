import { useEffect } from 'react';

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · IGE-MOJI` : 'IGE-MOJI';
  }, [title]);
}
